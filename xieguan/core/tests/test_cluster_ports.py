"""The cluster refuses a port something already serves (a load run stopped
on 7 December left its gunicorn behind; the next run's gunicorn could not
bind, only logged it, and Locust measured the old server)."""

from __future__ import annotations

import socket

import pytest

from xieguan.core.cluster import Cluster, ClusterError


def test_a_port_already_served_is_refused_before_anything_starts(tmp_path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cluster = Cluster(tmp_path / "run", database_url="sqlite:///unused", ports=(port,))
        with pytest.raises(ClusterError, match=f"port {port} is in use"):
            cluster.start()
    assert cluster.children == [] and cluster.store is None
