"""The project's settings, with the story addresses answered from memory (``urls.py``)."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "render_bound.urls"
