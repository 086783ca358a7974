"""Every request, socket and kubeconfig read; the only importer of `kubernetes`."""
