package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// flagSet wraps flag.FlagSet so that every flag takes its default from an
// environment variable named MONITOR_<FLAG_NAME>.
type flagSet struct {
	*flag.FlagSet
	envErr error
}

func newFlagSet(name string) *flagSet {
	fs := flag.NewFlagSet("monitor "+name, flag.ContinueOnError)
	return &flagSet{FlagSet: fs}
}

// EnvName returns the environment variable of a flag.
func EnvName(flagName string) string {
	return "MONITOR_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f *flagSet) env(name string) (string, bool) {
	return os.LookupEnv(EnvName(name))
}

func (f *flagSet) String(name, def, usage string) *string {
	if v, ok := f.env(name); ok {
		def = v
	}
	return f.FlagSet.String(name, def, usage+" ("+EnvName(name)+")")
}

func (f *flagSet) Bool(name string, def bool, usage string) *bool {
	if v, ok := f.env(name); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.envErr = fmt.Errorf("%s: %w", EnvName(name), err)
		}
		def = b
	}
	return f.FlagSet.Bool(name, def, usage+" ("+EnvName(name)+")")
}

func (f *flagSet) Int(name string, def int, usage string) *int {
	if v, ok := f.env(name); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.envErr = fmt.Errorf("%s: %w", EnvName(name), err)
		}
		def = n
	}
	return f.FlagSet.Int(name, def, usage+" ("+EnvName(name)+")")
}

func (f *flagSet) Int64(name string, def int64, usage string) *int64 {
	if v, ok := f.env(name); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			f.envErr = fmt.Errorf("%s: %w", EnvName(name), err)
		}
		def = n
	}
	return f.FlagSet.Int64(name, def, usage+" ("+EnvName(name)+")")
}

func (f *flagSet) Float64(name string, def float64, usage string) *float64 {
	if v, ok := f.env(name); ok {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			f.envErr = fmt.Errorf("%s: %w", EnvName(name), err)
		}
		def = n
	}
	return f.FlagSet.Float64(name, def, usage+" ("+EnvName(name)+")")
}

func (f *flagSet) Duration(name string, def time.Duration, usage string) *time.Duration {
	if v, ok := f.env(name); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			f.envErr = fmt.Errorf("%s: %w", EnvName(name), err)
		}
		def = d
	}
	return f.FlagSet.Duration(name, def, usage+" ("+EnvName(name)+")")
}

// strings is a repeatable string flag; from the environment it takes a
// comma-separated list.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

func (f *flagSet) Strings(name, usage string) *stringList {
	var l stringList
	if v, ok := f.env(name); ok && v != "" {
		l = strings.Split(v, ",")
	}
	f.FlagSet.Var(&l, name, usage+" (repeatable; "+EnvName(name)+", comma-separated)")
	return &l
}

// Parse parses args after the environment, reporting a bad variable first.
func (f *flagSet) Parse(args []string) error {
	if f.envErr != nil {
		return f.envErr
	}
	return f.FlagSet.Parse(args)
}
