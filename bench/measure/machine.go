package measure

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// Machine describes where the figures were taken.
type Machine struct {
	CPU   string // model name, from /proc/cpuinfo
	Cores int    // logical CPUs
	Go    string // Go version
	OS    string // GOOS/GOARCH
}

// ThisMachine describes the running machine.
func ThisMachine() Machine {
	m := Machine{CPU: "unknown", Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if cpu := cpuModel(data); cpu != "" {
			m.CPU = cpu
		}
	}
	return m
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel(cpuinfo []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// String formats the machine for a report.
func (m Machine) String() string {
	return fmt.Sprintf("%s, %d logical cores, %s, %s", m.CPU, m.Cores, m.OS, m.Go)
}

// LoadAverage returns /proc/loadavg's first three fields ("" when it
// cannot be read).
func LoadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
