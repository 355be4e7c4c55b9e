# Sourced by the benchmarks: one line naming the CPU and the widest vector instructions it has,
# since the figures differ between machines (some have AVX-512, some only AVX2).
print_machine() {
    local model isa
    model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    if grep -qw avx512f /proc/cpuinfo; then isa="AVX-512"; elif grep -qw avx2 /proc/cpuinfo; then isa="AVX2"; else isa="no AVX2"; fi
    echo "machine: ${model:-unknown CPU}, $(nproc) cores, $isa"
}
