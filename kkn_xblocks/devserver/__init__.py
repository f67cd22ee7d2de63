"""The local runtime: the xblock-sdk workbench set up for these blocks.

``settings`` fixes what the workbench wheel leaves to the user (the records app, a SQLite database
under ``var/``, hidden sample blocks, a user service that knows who is staff, the blocks' own
Swedish catalog). ``python3 dev.py serve`` migrates and starts it; nothing here is used in Open edX.
"""
