"""The local runtime: the xblock-sdk workbench set up for these blocks.

``settings`` fixes what the workbench wheel leaves to the user (the records app, a SQLite database
under ``var/``, hidden sample blocks, a user service that knows who is staff, the blocks' own
Swedish catalog). ``python3 dev.py serve`` migrates and starts it; nothing here is used in Open edX.
"""
import warnings

# The workbench imports pyfilesystem2 (``fs``), whose namespace-package line calls setuptools'
# deprecated pkg_resources at every start. Only that dependency's own warnings are silenced here.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning, module="fs")
warnings.filterwarnings("ignore", message=r"Deprecated call to `pkg_resources\.declare_namespace",
                        category=DeprecationWarning, module="fs")
