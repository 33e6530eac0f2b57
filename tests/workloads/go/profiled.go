// profiled: a Go program that profiles itself with runtime/pprof, as Go
// services do.  It spins in three functions for 60%, 30% and 10% of its
// CPU time (the first two under pprof labels phase=sixty and phase=thirty)
// and allocates in two functions (3:1 by bytes), then writes a CPU profile
// and a heap profile.
//
//	profiled CPU.pprof HEAP.pprof SECONDS
package main

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"
)

var sink uint64
var keep [][]byte

//go:noinline
func spin(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			sink += uint64(i) * 2654435761
		}
	}
}

// A round lasts 10.5 ms: never in step with the profiler's 10 ms ticks
//
//go:noinline
func leafSixty() { spin(6300 * time.Microsecond) }

//go:noinline
func leafThirty() { spin(3150 * time.Microsecond) }

//go:noinline
func leafTen() { spin(1050 * time.Microsecond) }

//go:noinline
func allocBig() { keep = append(keep, make([]byte, 3<<20)) }

//go:noinline
func allocSmall() { keep = append(keep, make([]byte, 1<<20)) }

func main() {
	secs, _ := strconv.Atoi(os.Args[3])
	runtime.MemProfileRate = 4096
	cpu, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		panic(err)
	}
	for i := 0; i < 16; i++ {
		allocBig()
		allocSmall()
	}
	// pprof labels on two of the three, as a service tags its requests
	ctx := context.Background()
	end := time.Now().Add(time.Duration(secs) * time.Second)
	for time.Now().Before(end) {
		pprof.Do(ctx, pprof.Labels("phase", "sixty"), func(context.Context) { leafSixty() })
		pprof.Do(ctx, pprof.Labels("phase", "thirty"), func(context.Context) { leafThirty() })
		leafTen()
	}
	pprof.StopCPUProfile()
	cpu.Close()
	heap, err := os.Create(os.Args[2])
	if err != nil {
		panic(err)
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(heap); err != nil {
		panic(err)
	}
	heap.Close()
}
