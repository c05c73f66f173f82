#!/bin/bash
# wait for the lab lock, then: service-fact check, full bench, before/after; release.
cd /work/main
while true; do
  if grep -q '^exit=' /tmp/fulltest.log && [ ! -e /tmp/halab-lab.lock ]; then
    ( set -o noclobber; echo bench > /tmp/halab-lab.lock ) 2>/dev/null && break
  fi
  sleep 5
done
echo "LOCKED $(date +%T)"
export HEARTBEAT_SECRET=hbsecret123 DRBD_SECRET=drbdsecret123
node bin/run-playbook.js lab status | head -1
node bin/run-playbook.js lab up -i inventory/2-node > /dev/null 2>&1
node bin/run-playbook.js site -i inventory/2-node > /tmp/conv2.out 2>&1; tail -3 /tmp/conv2.out
node --import tsx bench/.exp/svccheck.ts 192.168.0.27
node --import tsx bench/.exp/svccheck.ts 192.168.0.28
echo "--- before/after B2 $(date +%T)"
for i in 1 2 3 4 5 6 7; do
  (cd /tmp/halab-before && /usr/bin/time -f "before %e s %M KB" node bin/run-playbook.js site -i /work/main/inventory/2-node 2>&1 >/tmp/b.out | tail -1); grep -c "changed=0" /tmp/b.out
  node bin/bundle.js --if-stale >/dev/null; /usr/bin/time -f "after %e s %M KB" node bin/run-playbook.js site -i inventory/2-node 2>&1 >/tmp/a.out | tail -1; grep -c "changed=0" /tmp/a.out
done
node bin/run-playbook.js lab down | tail -1
echo "--- full bench $(date +%T)"
timeout 2700 node --import tsx bench/run.ts --json /tmp/bench2.json > /tmp/bench2.out 2> /tmp/bench2.err; echo "bench rc=$?"
node bin/run-playbook.js lab status | head -1
echo "--- before/after A30 $(date +%T)"
python3 - <<'PY'
lines = ["all:", "  vars: { ansible_user: root }", "  hosts:"]
for i in range(1, 31):
    a = f"10.251.0.{i}"
    lines += [f"    bench{i:02d}:", f"      ansible_host: {a}", f"      interfaces: [{{ name: eth0, address: {a}, prefix: 24 }}]"]
import os; os.makedirs('/tmp/inv30', exist_ok=True)
open('/tmp/inv30/hosts.yml', 'w').write("\n".join(lines) + "\n")
PY
sysctl -q -w fs.inotify.max_user_instances=1024
node bin/run-playbook.js lab up -i /tmp/inv30 > /dev/null 2>&1
(cd bench/project && node ../../bin/run-playbook.js workload-a -i /tmp/inv30 | tail -1)
for i in 1 2 3 4 5; do
  (cd /tmp/halab-before/bench/project && /usr/bin/time -f "before A30-2 %e s %M KB" node ../../bin/run-playbook.js workload-a -i /tmp/inv30 2>&1 >/tmp/b.out | tail -1); grep -c "changed=0" /tmp/b.out
  (cd bench/project && node ../../bin/bundle.js --if-stale . >/dev/null; /usr/bin/time -f "after A30-2 %e s %M KB" node ../../bin/run-playbook.js workload-a -i /tmp/inv30 2>&1 >/tmp/a.out | tail -1); grep -c "changed=0" /tmp/a.out
done
node bin/run-playbook.js lab down | tail -1
sysctl -q -w fs.inotify.max_user_instances=128
rm -f /tmp/halab-lab.lock
echo "RELEASED $(date +%T)"
