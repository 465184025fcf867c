"""What people call: the Python API, the ``missions`` command and the browser UI.

The top layer; nothing below imports it.
"""
