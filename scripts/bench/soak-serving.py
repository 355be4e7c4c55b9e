"""Driver of scripts/bench/soak-serving.sh (see there). Starts the server on a free loopback port, stops
it by PID, reaches nothing beyond 127.0.0.1."""
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time

scratch, serve = sys.argv[1], sys.argv[2]
SOAK = int(os.environ.get("SOAK_SECONDS", "60"))
IDLE = int(os.environ.get("IDLE_CONNECTIONS", "2000"))
SLOW = int(os.environ.get("SLOW_CONNECTIONS", "2000"))
SLOW_SECONDS = int(os.environ.get("SLOW_SECONDS", "15"))
SLOW_RATE = int(os.environ.get("SLOW_RATE", "1000"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid):
    return next(int(line.split()[1]) for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS")) / 1024


def descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def ping_ms(port):
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := s.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:60]
    return (time.perf_counter() - started) * 1000


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


manifest = json.load(open(os.path.join(scratch, "models/bench_router/1/router.json")))
columns, pairs = manifest["feature_columns"], [m["pair"] for m in manifest["members"]]
body = json.dumps({"dataframe_split": {"columns": ["pair"] + columns,
                                        "data": [[pairs[0]] + [((j * 13) % 97) / 48.5 - 1 for j in range(len(columns))]]}})
lua = os.path.join(scratch, "soak.lua")
with open(lua, "w") as f:
    f.write(f'wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"; wrk.body = {json.dumps(body)}\n')

port = free_port()
server = subprocess.Popen([serve, "-m", "models:/bench_router/1", "--models-dir", os.path.join(scratch, "models"), "-p", str(port), "-w", "2"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
try:
    server.stdout.readline()  # "listening on …"
    pid = server.pid

    def wrk(seconds):
        return subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", lua, f"http://127.0.0.1:{port}/invocations"],
                              capture_output=True, text=True, check=True).stdout

    wrk(5)
    idle_rss = rss_mib(pid)
    samples = []
    runner = threading.Thread(target=lambda: samples.append(wrk(SOAK)))
    runner.start()
    during = []
    while runner.is_alive():
        time.sleep(2)
        during.append(rss_mib(pid))
    runner.join()
    requests = next(line for line in samples[0].splitlines() if "Requests/sec" in line).split()[-1]
    end_rss = rss_mib(pid)
    time.sleep(10)
    after_rss = rss_mib(pid)

    # 2,000 idle connections: what they cost.
    before_idle = rss_mib(pid)
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(IDLE)]
    time.sleep(1)
    idle_cost = rss_mib(pid) - before_idle
    idle_fds = descriptors(pid)
    for s in idle:
        s.close()

    # Slowloris: heads sent a byte at a time; /ping must keep answering, descriptors stay bounded.
    # The attacker is a process of its own: as a thread it would hold the interpreter lock for
    # whole sweeps over its sockets and the pings would measure that wait, not the server.
    forked = multiprocessing.get_context("fork")
    stop = forked.Event()
    opened = forked.Value("i", 0)

    def slowloris():
        # As slowloris tools do: connections opened at a rate (SLOW_RATE a second, 20x
        # slowhttptest's default) up to SLOW, every one sent a head byte each 0.5 s, and each one
        # the server drops replaced at once. A tick of 0.1 s serves a fifth of them.
        head = b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 4000
        sockets = []
        tick = 0
        while not stop.is_set():
            for _ in range(min(SLOW - len(sockets), max(SLOW_RATE // 10, 1))):
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=1)
                    s.setblocking(False)
                    sockets.append([s, 0, tick % 5])
                    opened.value += 1
                except OSError:
                    break
            for entry in [entry for entry in sockets if entry[2] == tick % 5]:
                s, sent, _ = entry
                try:
                    s.send(head[sent:sent + 1])
                    entry[1] = (sent + 1) % len(head)
                except OSError:
                    sockets.remove(entry)
                    s.close()
            tick += 1
            time.sleep(0.1)
        for s, _, _ in sockets:
            s.close()

    attacker = forked.Process(target=slowloris)
    attacker.start()
    time.sleep(2)
    pings, fds = [], []
    deadline = time.time() + SLOW_SECONDS
    while time.time() < deadline:
        pings.append(ping_ms(port))
        fds.append(descriptors(pid))
        time.sleep(0.2)
    stop.set()
    attacker.join()

    print(f"soak: wrk -t2 -c8 for {SOAK} s, 1 row per request ({requests} req/s), default 60 s deadline")
    print(f"  RSS after warm-up {idle_rss:.1f} MiB; during the soak max {max(during):.1f} MiB ({max(during) / idle_rss:.2f}x, target <= 1.5x)")
    print(f"  RSS at the end {end_rss:.1f} MiB; 10 s later {after_rss:.1f} MiB ({(after_rss / idle_rss - 1) * 100:+.1f} % of warm-up, target within 10 %)")
    print(f"  {IDLE} idle connections: +{idle_cost:.1f} MiB (target <= 50 MiB), {idle_fds} descriptors open")
    print(f"slowloris: {opened.value} slow connections opened over {SLOW_SECONDS + 2} s ({SLOW} at a time, opened at {SLOW_RATE} a second, a head byte every 0.5 s)")
    p95 = sorted(pings)[int(len(pings) * 0.95)]
    print(f"  /ping during it: median {median(pings):.2f} ms, p95 {p95:.2f} ms, max {max(pings):.2f} ms over {len(pings)} pings (target <= 5 ms)")
    print(f"  server descriptors: max {max(fds)} (bounded by --max-connections 4096 and the 10 s header timeout)")
finally:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
