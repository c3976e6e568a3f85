package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPU time spent by the processes of a run, so a figure measured on a
// shared machine can be read as cost: what HQ, PostgreSQL and the simulated
// devices spent per mutation, whatever else ran meanwhile.

// userHZ is Linux's unit of /proc/PID/stat times (USER_HZ, 100 on every
// architecture Go runs Linux on).
const userHZ = 100

// procTimes is a process's user+system time, and with children its waited-for
// children's (/proc/PID/stat fields 14–17); ppid is its parent.
func procTimes(pid int, children bool) (cpu time.Duration, ppid int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 15 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	n := 0
	last := 12
	if children {
		last = 14
	}
	for _, x := range f[11 : last+1] {
		v, _ := strconv.Atoi(x)
		n += v
	}
	return time.Duration(n) * time.Second / userHZ, ppid, true
}

// serverCPU is a server's CPU time: the parent's own and its finished
// children's, plus its live children's (PostgreSQL's postmaster and its
// backends). 0 if pid is 0.
func serverCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	total, _, _ := procTimes(pid, true)
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		p, err := strconv.Atoi(filepath.Base(d))
		if err != nil || p == pid {
			continue
		}
		if t, ppid, ok := procTimes(p, false); ok && ppid == pid {
			total += t
		}
	}
	return total
}

// selfCPU is this process's CPU time (the simulated devices).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuSample is the CPU time of HQ, the PostgreSQL server (0: not ours, or
// SQLite) and this process at one moment.
type cpuSample struct{ hq, pg, self time.Duration }

func (e *env) cpuNow(pgPID int) cpuSample {
	hq, _, _ := procTimes(e.proc.PID, true)
	return cpuSample{hq: hq, pg: serverCPU(pgPID), self: selfCPU()}
}

// perThousand is the CPU each spent between a and b per 1,000 of n.
func perThousand(a, b cpuSample, n int) string {
	per := func(d time.Duration) string {
		return fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond)*1000/float64(n))
	}
	if b.pg == 0 {
		return per(b.hq-a.hq) + " / – / " + per(b.self-a.self) + " ms"
	}
	return per(b.hq-a.hq) + " / " + per(b.pg-a.pg) + " / " + per(b.self-a.self) + " ms"
}
