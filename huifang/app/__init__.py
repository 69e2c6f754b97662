"""The application shell: process entry points, the command line, the stack definition, model
builds and the demo. Standard library only at import time: the Rasa virtualenv imports
`huifang.app.rasa_launcher`."""
