"""The custom actions (rasa-sdk). Importing them installs Huifang's masked logging
(huifang.log_masking) on whatever logging the action server set up, in its main process and in
each Sanic worker process it spawns (which inherit none of the main process's set-up)."""

from huifang.log_masking import install as _install_masked_logging

_install_masked_logging()
