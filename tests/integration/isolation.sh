#!/usr/bin/env bash
# Isolation beyond files: network modes against a real listener, signals to outside
# processes, refused kernel interfaces, limits, and the environment.
source "$(dirname "$0")/lib.sh"

# A TCP listener outside the sandbox.
port_file="$SCRATCH/port"
python3 - "$port_file" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept(); c.sendall(b"hello-from-host\n"); c.close()
PY
listener=$!
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
port=$(cat "$port_file")
probe="import socket,sys
try:
    s=socket.create_connection(('127.0.0.1',$port),timeout=3); print(s.recv(100).decode().strip())
except OSError as e: print('refused', e.errno)"

out=$(bv run -- python3 -c "$probe")
expect_contains "network none" "refused" "$out"
cat > "$SCRATCH/loopback.json" <<JSON
{"version": 1, "extends": "default", "network": {"mode": "loopback"}}
JSON
out=$(bv run --policy "$SCRATCH/loopback.json" --report "$SCRATCH/net.json" -- python3 -c "$probe")
expect_eq "network loopback" "hello-from-host" "$out"
expect_eq "connection reported" "127.0.0.1:$port:True" \
  "$(json "$SCRATCH/net.json" '"%s:%d:%s" % (d["network"][0]["address"], d["network"][0]["port"], d["network"][0]["allowed"])')"
cat > "$SCRATCH/allow.json" <<JSON
{"version": 1, "extends": "default", "network": {"mode": "allow", "allow": ["10.11.12.0/24:443"]}}
JSON
out=$(bv run --policy "$SCRATCH/allow.json" -- python3 -c "$probe")
expect_eq "allow mode keeps loopback" "hello-from-host" "$out"
out=$(bv run --policy "$SCRATCH/allow.json" -- python3 -c "
import socket
s=socket.socket()
try: s.connect(('10.99.0.1', 80)); print('connected')
except OSError as e: print('refused', e.errno)")
expect_eq "allow mode refuses others" "refused 13" "$out"
out=$(bv run --policy "$SCRATCH/loopback.json" -- python3 -c "
import socket
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)" 2>&1)
expect_contains "no UDP outside host mode" "Permission denied" "$out"
kill "$listener" 2>/dev/null

# Processes outside the sandbox are out of reach.
sleep 300 &
outside=$!
bv run -- bash -c "kill -9 $outside 2>/dev/null; kill -9 -1 2>/dev/null; pkill -9 sleep; exit 0"
sleep 0.2
checks=$((checks + 1))
kill -0 "$outside" 2>/dev/null || fail "the outside sleep was killed from inside the sandbox"
out=$(bv run -- python3 -c "
import os
try: os.pidfd_open($outside); print('opened')
except OSError as e: print('refused', e.errno)")
expect_eq "pidfd_open of an outside pid" "refused 3" "$out"
out=$(bv run -- bash -c "ls /proc/$outside 2>&1 >/dev/null | wc -l; test -e /proc/$$ && echo visible-parent")
expect_eq "outside /proc entries hidden" "1" "$out"
kill "$outside"

# Kernel interfaces refused in BPF.
out=$(bv run -- python3 - <<'PY'
import ctypes, ctypes.util, fcntl, os, termios
libc = ctypes.CDLL(None, use_errno=True)
def call(name, *args):
    r = libc.syscall(*args)
    print(name, r, ctypes.get_errno())
call("io_uring_setup", 425, 8, ctypes.create_string_buffer(120))
call("ptrace", 101, 16, os.getppid(), 0, 0)
call("unshare", 272, 0x10000000)
call("mount", 165, b"none", b"/mnt", b"tmpfs", 0, 0)
call("bpf", 321, 0, 0, 0)
try:
    fd = os.open("/dev/tty", os.O_RDWR)
    fcntl.ioctl(fd, termios.TIOCSTI, b"x"); print("TIOCSTI allowed")
except OSError as e:
    print("TIOCSTI", e.errno)
PY
)
expect_contains "io_uring_setup" "io_uring_setup -1 1" "$out"
expect_contains "ptrace" "ptrace -1 1" "$out"
expect_contains "unshare" "unshare -1 1" "$out"
expect_contains "mount" "mount -1 1" "$out"
expect_contains "bpf" "bpf -1 1" "$out"
expect_not_contains "TIOCSTI" "TIOCSTI allowed" "$out"

# Limits: ulimit keeps working; a fork bomb stops at limits.processes.
expect_eq "ulimit -n 64" "64" "$(bv run -- bash -c 'ulimit -n 64 && ulimit -n')"
cat > "$SCRATCH/limits.json" <<JSON
{"version": 1, "extends": "default", "limits": {"processes": 64, "open_files": 128}}
JSON
bv run --policy "$SCRATCH/limits.json" --report "$SCRATCH/bomb.json" --timeout 20 -- \
  bash -c 'bomb() { bomb | bomb & }; bomb; sleep 2' >/dev/null 2>&1
expect_eq "fork bomb limited" "processes" "$(json "$SCRATCH/bomb.json" 'd["limit"]')"
checks=$((checks + 1))
[ "$(json "$SCRATCH/bomb.json" 'd["peak_processes"]')" -le 70 ] || fail "peak processes above the limit"
expect_eq "open_files cannot be raised" "refused" \
  "$(bv run --policy "$SCRATCH/limits.json" -- bash -c 'ulimit -n 4096 2>/dev/null && echo raised || echo refused')"

# Environment: secret-looking variables are withheld, by name in the report.
out=$(GITHUB_TOKEN=ghp_secret MY_PASSWORD=pw KEEP_ME=1 bv run --report "$SCRATCH/env.json" -- bash -c 'echo "${GITHUB_TOKEN:-none} ${MY_PASSWORD:-none} $KEEP_ME"')
expect_eq "env scrubbed" "none none 1" "$out"
expect_contains "removed names reported" "GITHUB_TOKEN" "$(json "$SCRATCH/env.json" 'd["env_removed"]')"
expect_not_contains "values never reported" "ghp_secret" "$(cat "$SCRATCH/env.json")"

finish
