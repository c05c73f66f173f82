# Workload B, pyinfra side: the state halab's `site` playbook leaves on a 2-node cluster
# (roles base, drbd, apache-php, heartbeat): its files (content, owner, group, mode), the
# sites-enabled link, the stock site left disabled, its packages and its services. pyinfra
# cannot run halab's roles or render Ansible's templates, so bench/run.ts gives each host
# its manifest as host data (`site`), with the files as halab wrote them on that host
# (read from the converged host before any timed run; see bench/lib/site-manifest.ts).
from pyinfra import host
from pyinfra.facts.files import FindLinks
from pyinfra.operations import apt, files, server, systemd

site = host.data.get("site")
if not site:
    raise ValueError(f"{host.name}: no `site` host data (bench/run.ts writes it into the inventory)")

if site["packages"]:
    apt.packages(
        name="packages",
        packages=site["packages"],
        no_recommends=True,
        update=True,
        cache_time=3600,
    )
for f in site["files"]:
    files.put(
        name=f"file {f['path']}",
        src=f["src"],
        dest=f["path"],
        user=f["user"],
        group=f["group"],
        mode=f["mode"],
    )
for link in site["links"]:
    files.link(name=f"link {link['path']}", path=link["path"], target=link["target"])
for path in site["absent"]:
    files.file(name=f"absent {path}", path=path, present=False)
for s in site["services"]:
    # A service from an init script only (heartbeat): systemd generates its unit, whose
    # UnitFileState "generated" pyinfra's systemd fact reads as disabled, so it would enable
    # it on every run. Its boot links are what enable it: checked as sysvinit.enable does,
    # without sysvinit.service's status sweep of every init script.
    sysv = s.get("sysv", False)
    systemd.service(
        name=f"service {s['name']}",
        service=s["name"],
        running=s.get("running"),
        enabled=None if sysv else s.get("enabled"),
    )
    if sysv and s.get("enabled") is not None:
        links = host.get_fact(FindLinks, path=f"/etc/rc*.d/S*{s['name']}", quote_path=False)
        if s["enabled"] and not links:
            server.shell(name=f"enable {s['name']}", commands=[f"update-rc.d {s['name']} enable"])
        elif not s["enabled"] and links:
            server.shell(name=f"disable {s['name']}", commands=[f"update-rc.d {s['name']} disable"])
