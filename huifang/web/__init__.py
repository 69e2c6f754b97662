"""HTTP plumbing shared by the gateway, the scheduler's intake API and the console: body limits,
client addresses behind trusted proxies, rate limits and safe 422 answers."""
