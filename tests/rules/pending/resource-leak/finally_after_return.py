"""``return`` inside ``except`` runs the ``finally`` that closes the socket (issue 12 item 4)."""

import socket

from flask import Flask, request

app = Flask(__name__)


@app.route("/banner")
def banner():
    s = socket.socket()  # ok: resource-leak
    try:
        s.connect((request.args["host"], 25))
        return s.recv(64)
    except OSError:
        return None
    finally:
        s.close()


@app.route("/banner2")
def banner_leaks():
    s = socket.socket()  # ruleid: resource-leak
    try:
        s.connect((request.args["host"], 25))
        return s.recv(64)
    except OSError:
        return None
