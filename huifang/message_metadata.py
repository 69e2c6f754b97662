"""The keys of a customer message's Rasa metadata: written by the gateway (bot/rasa_client.py),
read by Rasa's input channel (rasa_channels/customer_input.py) and by the actions. Nothing but
constants: it loads in the Rasa virtualenv too."""

MESSAGE_KEY = "message_key"  # the gateway's key of the customer's message
FIRST_TRY = "first_try"  # beside it: never sent to Rasa before, so there is nothing to look up
