"""A fake Kubernetes API server and gateway controller for kubectl-inferroute's tests."""

from . import objects
from .controller import ControllerSim
from .schema import crds_dir, schema_source
from .server import ApiError, FakeCluster, Request, status_body

__all__ = [
    "ApiError",
    "ControllerSim",
    "FakeCluster",
    "Request",
    "crds_dir",
    "objects",
    "schema_source",
    "status_body",
]
