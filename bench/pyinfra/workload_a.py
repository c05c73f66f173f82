# Workload A, pyinfra side: pyinfra's own performance workload (a user, a file with
# content, a copied file, a shell command with a guard), the same four operations as
# bench/project/roles/workload-a (halab) and bench/ansible/workload-a.yml (Ansible).
# Host data may rename the user and the log (workload_user, workload_log), as the other
# two take workload_user/workload_log variables.
from io import StringIO
from pathlib import Path

from pyinfra import host
from pyinfra.facts.files import File
from pyinfra.operations import files, server

FILES = Path(__file__).resolve().parent.parent / "project" / "files"
user = host.data.get("workload_user") or "halabbench"
log = host.data.get("workload_log") or "/var/log/halabbench.log"
home = f"/home/{user}"

server.user(name="user", user=user, home=home, shell="/bin/bash")
files.put(
    name="file log",
    src=StringIO("halab benchmark log\n"),
    dest=log,
    user=user,
    mode="644",
)
files.put(
    name="file test_file.txt",
    src=str(FILES / "test_file.txt"),
    dest=f"{home}/test_file.txt",
    user=user,
    mode="644",
)
# halab's `creates` and Ansible's: a fact on the file, then the command only when missing.
if not host.get_fact(File, path=f"{home}/shell-ran"):
    server.shell(name="command echo hi", commands=[f'echo "hi!" > {home}/shell-ran'])
