# Sourced by the scripts: a real `mlflow server` (from the test venv) with a SQLite backend store
# and the artifact proxy, on a free loopback port, stopped by its PID. Python is a test tool only.

start_mlflow_server() { # work-dir → sets MLFLOW_URI and MLFLOW_PID
    local work=$1
    local port
    port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # Its own process group (setsid execs it, so the PID is the group's): mlflow starts uvicorn and
    # job workers as children, and the group is stopped with it.
    setsid .venv/bin/mlflow server --backend-store-uri "sqlite:///$work/mlflow.db" --serve-artifacts \
        --artifacts-destination "$work/mlflow-artifacts" --host 127.0.0.1 --port "$port" --workers 1 \
        >"$work/mlflow-server.log" 2>&1 &
    MLFLOW_PID=$!
    MLFLOW_URI="http://127.0.0.1:$port"
    for _ in $(seq 1 600); do
        curl -fsS "$MLFLOW_URI/health" >/dev/null 2>&1 && return 0
        kill -0 "$MLFLOW_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "mlflow server did not start:"; tail -20 "$work/mlflow-server.log"
    return 1
}

stop_mlflow_server() {
    [ -n "${MLFLOW_PID:-}" ] || return 0
    kill -- "-$MLFLOW_PID" 2>/dev/null || kill "$MLFLOW_PID" 2>/dev/null || true
    wait "$MLFLOW_PID" 2>/dev/null || true
    MLFLOW_PID=""
}
