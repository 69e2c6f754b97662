"""The channel gateway: owns all channel I/O (Telegram, built-in web chat), relays customers'
messages to Rasa's REST channel, delivers proactive callbacks, alerts supervisors, and stores
every message in the transcript."""
