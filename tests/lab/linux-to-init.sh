#!/bin/sh
# Runs inside the kvm-lab (scripts/kvm-lab -- tests/lab/linux-to-init.sh INITRD): boots the lab's
# own Debian kernel ($VMM_KVM_LAB_KERNEL, the generic amd64 vmlinux, entered by PVH) with the
# busybox initramfs (guest-images/initramfs/build.sh) under ./vmm run on the lab's standard
# kvm-amd, twice: -cpu host and -cpu host,-kvmclock. Each run is framed by "=== " lines (what ran,
# vmm's status, wall-clock seconds from vmm's start to /init's first line and to its end) and
# checked: vmm exits 0, /init's lines reach the console (user-space tty output, so the UART's
# interrupt works), the kernel picks kvm-clock under host and not under host,-kvmclock, it prints
# its PV set-up lines (the global ones; per vCPU those of the secondary vCPUs: the boot vCPU's come
# before dynamic debug is on), and --pv-report shows every vCPU's steal-time and async-PF MSRs
# enabled (kvm-clock's too under host, not under host,-kvmclock). "=== ok"/"=== FAIL" per check;
# the last line is "=== linux-to-init: PASS" (exit 0) or "=== linux-to-init: FAIL" (exit 1).
# Without kvm-clock (host,-kvmclock) the kernel must measure the TSC against the PIT, and that
# fails in the lab ("tsc: Unable to calibrate against PIT", "No reference (HPET/PMTIMER)
# available": the PIT loop is too slow under TCG, and the HW-reduced board has no HPET or PM
# timer), leaving it in calibrate_delay() for good; so that boot is told the lab CPU's TSC
# frequency (tsc_early_khz, from the lab's /proc/cpuinfo).
# Measured in the lab, 2026-12-03 14:38 UTC (PASS, 33 checks): host: /init 91.6 s after vmm
# started (26.1 s kernel uptime), vmm exit 0 after 96.4 s; host,-kvmclock: /init after 85.4 s,
# exit 0 after 94.3 s (its uptime counts jiffies, not comparable). An earlier run with another lab
# alongside: 102.8/112.3 s and 137.3/141.8 s.
# quiet keeps the boot log off the serial port (each byte is an I/O exit, ~0.2 ms in the lab); the
# initramfs's /init prints the kvm/clocksource lines of dmesg instead. dyndbg turns on the
# pr_debug lines of the kernel's PV set-up (steal time, async PF, kvm-clock per CPU).
# earlyprintk puts the kernel's own early console on the UART, so a panic before the serial driver
# is up (nothing on the console otherwise) still shows; with quiet it prints only those lines.
set -u
initrd=$1
kernel=${VMM_KVM_LAB_KERNEL:?not in the kvm-lab (VMM_KVM_LAB_KERNEL unset)}
append='console=ttyS0 earlyprintk=ttyS0 reboot=k panic=-1 quiet dyndbg="file arch/x86/kernel/kvm.c +p; file arch/x86/kernel/kvmclock.c +p"'
cpus=2
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{ printf "%.1f", $1 - $2 }'; }
failed=0
expect() { # expect DESCRIPTION ERE LOG: a line matching ERE is in LOG
  if grep -q -E -e "$2" "$3"; then echo "=== ok: $1"; else echo "=== FAIL: $1 (no line matches '$2')"; failed=1; fi
}
refuse() { # refuse DESCRIPTION ERE LOG: no line matching ERE is in LOG
  if grep -q -E -e "$2" "$3"; then echo "=== FAIL: $1 (found '$(grep -m 1 -E -e "$2" "$3")')"; failed=1; else echo "=== ok: $1"; fi
}
log=$(mktemp)
status_file=$(mktemp)
trap 'rm -f "$log" "$status_file"' EXIT
# The lab's KVM traces every exit of the boot (reason and guest RIP, in the lab kernel's ring
# buffer), and a boot that fails shows its last ones: kvm-amd rebuilds the VMCB on a triple fault,
# so vmm's register dump then shows the reset state, and only KVM's own kvm_exit event still has
# the RIP the guest faulted at. Where tracefs cannot be had, boots just run untraced.
trace=/sys/kernel/tracing
trace_events='kvm_exit kvm_inj_exception kvm_page_fault'
tracing=0
if { mountpoint -q $trace || mount -t tracefs nodev $trace; } 2>/dev/null && [ -w $trace/trace ]; then
  echo 4096 >$trace/buffer_size_kb
  for e in $trace_events; do echo 1 >$trace/events/kvm/$e/enable; done && tracing=1
fi
for cpu in host host,-kvmclock; do
  echo "=== boot --cpu $cpu"
  start=$(now)
  [ $tracing = 1 ] && echo >$trace/trace
  cmdline=$append
  if [ "$cpu" != host ]; then
    # Without kvm-clock the kernel has to measure the TSC against the PIT, which fails in the lab
    # (see above) and leaves it hanging in calibrate_delay(): tell it the lab CPU's TSC frequency.
    cmdline="$append tsc_early_khz=$(awk -F': ' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)"
  fi
  { ./vmm run --kernel "$kernel" --initrd "$initrd" -m 256M --smp $cpus --cpu "$cpu" --append "$cmdline" \
      --timeout 400 -no-reboot --pv-report 2>&1; echo $? >"$status_file"; } | while IFS= read -r line; do
    case "$line" in *"init: reached /init"*) echo "=== /init after $(since "$start") s" ;; esac
    printf '%s\n' "$line"
  done | tr -d '\r' | tee "$log"
  status=$(cat "$status_file")
  echo "=== vmm status $status after $(since "$start") s"
  if [ "$status" = 0 ]; then echo "=== ok: vmm exits 0"; else echo "=== FAIL: vmm exits $status, not 0"; failed=1; fi
  if [ "$status" != 0 ] && [ $tracing = 1 ]; then
    echo "=== the boot's last KVM events in the lab ($trace_events):"
    grep -v '^#' $trace/trace | tail -n 60 | sed 's/^/=== kvm trace: /'
  fi
  expect "/init's first line reaches the console" '^init: reached /init' "$log"
  expect "/init's last line reaches the console" '^init: current_clocksource=' "$log"
  expect "PV IPIs set up" 'kvm-guest: setup PV IPIs' "$log"
  expect "PV spinlocks enabled" 'kvm-guest: PV spinlocks enabled' "$log"
  expect "PV sched yield set up" 'kvm-guest: setup PV sched yield' "$log"
  expect "PV remote TLB flush set up" 'kvm-guest: KVM setup pv remote TLB flush' "$log"
  if [ "$cpu" = host ]; then
    expect "kvm-clock is the clocksource" '^init: current_clocksource=kvm-clock$' "$log"
    expect "kvm-clock found its MSRs" 'kvm-clock: Using msrs' "$log"
  else
    refuse "kvm-clock is not the clocksource" '^init: current_clocksource=kvm-clock' "$log"
    refuse "kvm-clock is not set up" 'kvm-clock: (Using msrs|cpu [0-9])' "$log"
  fi
  i=0
  while [ $i -lt $cpus ]; do
    if [ $i -gt 0 ]; then
      expect "vCPU $i: the kernel set up steal time" "kvm-guest: stealtime: cpu $i," "$log"
      expect "vCPU $i: the kernel set up async PF" "kvm-guest: setup async PF for cpu $i\$" "$log"
    fi
    expect "vCPU $i: steal time enabled (host view)" "^# host: vcpu $i MSR_KVM_STEAL_TIME=.*\\(enabled" "$log"
    expect "vCPU $i: async PF enabled (host view)" "^# host: vcpu $i MSR_KVM_ASYNC_PF_EN=.*\\(enabled" "$log"
    expect "vCPU $i: PV EOI enabled (host view; 6.1 prints no line for it)" "^# host: vcpu $i MSR_KVM_PV_EOI_EN=.*\\(enabled" "$log"
    if [ "$cpu" = host ]; then
      [ $i -gt 0 ] && expect "vCPU $i: the kernel registered kvm-clock" "kvm-clock: cpu $i, msr" "$log"
      expect "vCPU $i: kvm-clock registered (host view)" "^# host: vcpu $i MSR_KVM_SYSTEM_TIME_NEW=0x[0-9a-f]*[13579bdf] \\(gpa=" "$log"
    else
      expect "vCPU $i: no kvm-clock (host view)" "^# host: vcpu $i MSR_KVM_SYSTEM_TIME_NEW=0x0 \\(disabled\\)" "$log"
    fi
    i=$((i + 1))
  done
done
if [ $failed = 0 ]; then echo "=== linux-to-init: PASS"; else echo "=== linux-to-init: FAIL"; fi
exit $failed
