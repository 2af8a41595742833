"""The small project the model-pass tests review."""

from __future__ import annotations

APP = '''\
import subprocess

from flask import Flask, request

from store import db

app = Flask(__name__)


def run(command):
    return subprocess.run(command, shell=True, capture_output=True)


@app.route("/ping")
def ping():
    host = request.args.get("host", "localhost")
    return {"reachable": run(f"ping -c 1 {host}").returncode == 0}


@app.route("/ports/<port_id>", methods=["DELETE"])
def delete_port(port_id):
    port = db.get_port(port_id)
    db.delete(port)
    return {"deleted": port_id}
'''

STORE = '''\
class Store:
    def get_port(self, port_id):
        return {"id": port_id}

    def delete(self, port):
        return None


db = Store()
'''


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return number
    raise AssertionError(needle)
