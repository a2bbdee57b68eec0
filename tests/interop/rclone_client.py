"""rclone as a command-line client of ``jobstate conform``: ``python rclone_client.py URL`` has
rclone (Debian's package) copy a file server-side on a fake OneDrive (``fake_graph.py``, reached
through ``HTTPS_PROXY``; ``JOBSTATE_FAKE_GRAPH``: the proxy's URL and its CA file), whose copy
hands out the monitor at URL; rclone polls it with its own code (``waitForJob``).

rclone prints no outcome, so its own words are read: exit 0 is a copy it reports done
(``success``); its error ``async operation returned "failed"`` (or ``"deleteFailed"``) is a
job it reports failed (``failure``); any other exit (its timeout, ``async operation didn't
complete``, an error) concludes nothing and is passed on. Its standard error is passed on too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

TOKEN = json.dumps(  # a token far from expiry: rclone never asks to refresh it
    {
        "access_token": "fake",
        "token_type": "Bearer",
        "refresh_token": "fake",
        "expiry": "2099-01-01T00:00:00Z",
    }
)
TIMEOUT = "6s"  # rclone's --timeout: how long waitForJob polls before it gives up


def main(url: str) -> int:
    proxy, _ca_file = os.environ["JOBSTATE_FAKE_GRAPH"].split(" ", 1)
    env = {
        **os.environ,
        "HTTPS_PROXY": proxy,
        "RCLONE_CONFIG_FAKE_TYPE": "onedrive",
        "RCLONE_CONFIG_FAKE_DRIVE_ID": "b!jobstate-fake-drive",
        "RCLONE_CONFIG_FAKE_DRIVE_TYPE": "business",
        "RCLONE_CONFIG_FAKE_TOKEN": TOKEN,
    }
    args = ["rclone", "--config", "/dev/null", "copyto", "fake:src.txt", "fake:dst.txt"]
    args += ["--no-check-certificate", "--no-check-dest", "--timeout", TIMEOUT]
    args += ["--retries", "1", "--low-level-retries", "1"]
    args += ["--header", f"X-Jobstate-Monitor: {url}"]
    done = subprocess.run(args, env=env, stderr=subprocess.PIPE, text=True, check=False)
    sys.stderr.write(done.stderr)
    if done.returncode == 0:
        print("success")
    elif 'async operation returned "' in done.stderr:
        print("failure")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
