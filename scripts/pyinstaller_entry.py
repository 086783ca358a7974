"""The bundled executable's entry point (PyInstaller)."""

from kubectl_httproute.__main__ import main

main()
