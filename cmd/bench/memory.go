package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
)

// memoryResult is the memory figure, measured in a child process of its
// own so that neither the server nor the other figures weigh in.
type memoryResult struct {
	OpenEntities  int     `json:"openEntities"`
	Tenants       int     `json:"tenants"`
	Events        int     `json:"events"`
	RSSBefore     uint64  `json:"rssBeforeBytes"`
	RSSAfter      uint64  `json:"rssAfterBytes"`
	HeapBefore    uint64  `json:"heapBeforeBytes"`
	HeapAfter     uint64  `json:"heapAfterBytes"`
	RSSPerEntity  float64 `json:"rssPerEntityBytes"`
	HeapPerEntity float64 `json:"heapPerEntityBytes"`
	// HeapMarginal is the heap added per open entity between half the
	// entities and all of them: the per-tenant fixed costs (recent-event
	// buffer, mailbox, de-duplication ring) mostly paid by then.
	HeapMarginal    float64 `json:"heapMarginalPerEntityBytes"`
	ApplySeconds    float64 `json:"applySeconds"`
	Path            string  `json:"path"`
	RecentPerTenant int     `json:"recentEventsPerTenant"`
}

// memory runs the memory figure in a child process.
func (b *bench) memory(ctx context.Context) (memoryResult, error) {
	var res memoryResult
	exe, err := os.Executable()
	if err != nil {
		return res, err
	}
	args := []string{"-memory-child",
		"-entities", strconv.Itoa(b.size.Entities),
		"-tenants", strconv.Itoa(b.size.Tenants)}
	if b.memProfile != "" && b.profPhase == "memory" {
		args = append(args, "-memprofile", b.memProfile)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return res, fmt.Errorf("memory child: %w", err)
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &res); err != nil {
		return res, fmt.Errorf("memory child output: %w", err)
	}
	return res, nil
}

// memoryChild is the child's side: it opens n entities over the given
// tenants through a state.Registry and its actors (decoded with the
// consumer's decoder, applied as the rebuild applies: silently), and
// prints what the process holds per open entity.
func memoryChild(n, tenants int, memProfile string) error {
	var res memoryResult
	res.Tenants = tenants
	res.Path = "consumer.Decode + state.Registry actors (Apply, silent), no NATS"

	reg, err := state.NewRegistry(state.RegistryConfig{})
	if err != nil {
		return err
	}
	defer reg.Close()
	res.RecentPerTenant = state.DefaultRecentEvents

	runtime.GC()
	debug.FreeOSMemory()
	res.RSSBefore = rss()
	res.HeapBefore = heap()

	g := newGenerator(genConfig{Tenants: tenants, IDPrefix: "m",
		OpenOnly: true, Seed: 4})
	base := time.Now().Add(-6 * time.Hour)
	step := 6 * time.Hour / time.Duration(n)
	ctx := context.Background()
	var wg sync.WaitGroup
	start := time.Now()
	opened := 0
	var heapHalf uint64
	for seq := uint64(1); opened < n; seq++ {
		if opened == n/2 && heapHalf == 0 {
			wg.Wait()
			heapHalf = heap()
		}
		at := base.Add(time.Duration(opened) * step)
		ge := g.next(at)
		subj, _ := consumer.ParseSubject(ingestPrefix, ge.subject)
		ev, rej := consumer.Decode(ge.body, subj, at, consumer.Limits{})
		if rej != nil {
			return fmt.Errorf("generated event rejected: %s", rej.Detail)
		}
		a, err := reg.GetOrCreate(ev.TenantID)
		if err != nil {
			return err
		}
		wg.Add(1)
		meta := event.Meta{StreamSeq: seq, Stored: at, Received: at}
		if err := a.Apply(ctx, ev, meta, true, &wg); err != nil {
			return err
		}
		res.Events++
		if ge.opens {
			opened++
		}
	}
	wg.Wait()
	res.ApplySeconds = time.Since(start).Seconds()

	open := 0
	var mu sync.Mutex
	reg.Each(func(a *state.Actor) {
		_ = a.Read(ctx, func(t *state.Tenant) {
			mu.Lock()
			defer mu.Unlock()
			for _, c := range event.Categories {
				open += t.OpenCount(c)
			}
		})
	})
	res.OpenEntities = open

	runtime.GC()
	debug.FreeOSMemory()
	res.RSSAfter = rss()
	res.HeapAfter = heap()
	res.RSSPerEntity = float64(int64(res.RSSAfter)-int64(res.RSSBefore)) / float64(open)
	res.HeapPerEntity = float64(int64(res.HeapAfter)-int64(res.HeapBefore)) / float64(open)
	res.HeapMarginal = float64(int64(res.HeapAfter)-int64(heapHalf)) / float64(n-n/2)
	if memProfile != "" {
		if err := writeHeapProfile(memProfile); err != nil {
			return err
		}
	}
	runtime.KeepAlive(reg)
	return json.NewEncoder(os.Stdout).Encode(res)
}

// rss returns the process's resident set size from /proc/self/status,
// 0 where that file does not exist.
func rss() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb * 1024
	}
	return 0
}

// heap returns the bytes of live heap objects after a collection.
func heap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
