// Command fasthttp-peer serves rpslab's workloads with valyala/fasthttp, the fastest
// mainstream Go HTTP/1.1 server, so `rpslab serve` can be measured beside it.
//
// Every body comes from the files `rpslab pool dump DIR` wrote (-dir), loaded once at
// start-up, so both servers send identical bytes. The handlers are written the way a
// fasthttp user tuning for speed would write them: preloaded []byte bodies handed over
// with SetBodyRaw (no copy), header names and values as package-level []byte, no
// allocation per request after warm-up, no shared mutable state on the request path.
// The dump loading and the /compute aggregation are package pooldump, shared with the
// net/http peer.
//
//	fasthttp-peer -addr 127.0.0.1:8080 -dir /tmp/pool [-prefork] [-compute-live]
package main

import (
	"bytes"
	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/prefork"

	"rpslab/bench/peers/pooldump"
)

// Header names and values as []byte, so setting them costs no conversion.
var (
	contentTypeJSON   = []byte("application/json")
	contentTypeText   = []byte("text/plain")
	contentTypeOctet  = []byte("application/octet-stream")
	headerEncoding    = []byte("Content-Encoding")
	headerVary        = []byte("Vary")
	valueGzip         = []byte("gzip")
	valueAcceptEncode = []byte("Accept-Encoding")
	bodyOK            = []byte("ok\n")
)

// ---------------------------------------------------------------------------------------
// Request handling.

type server struct {
	pool        *pooldump.Pool
	computeLive bool // compute the default /compute per request instead of serving compute.json
}

func (s *server) handle(ctx *fasthttp.RequestCtx) {
	// A switch on string(b) compiles to comparisons without converting (no allocation).
	switch string(ctx.Path()) {
	case "/simple":
		if s.methodAllowed(ctx) {
			ctx.SetContentTypeBytes(contentTypeJSON)
			ctx.Response.SetBodyRaw(s.pool.Simple)
		}
	case "/read":
		if s.methodAllowed(ctx) {
			s.handleRead(ctx)
		}
	case "/list":
		if s.methodAllowed(ctx) {
			s.sendEncoded(ctx, s.pool.List, s.pool.ListGz)
		}
	case "/compute":
		if s.methodAllowed(ctx) {
			s.handleCompute(ctx)
		}
	case "/echo":
		if !ctx.IsPost() {
			ctx.Error("method not allowed\n", fasthttp.StatusMethodNotAllowed)
			return
		}
		// fasthttp has already de-chunked a chunked body; the answer carries the
		// request's Content-Type, application/octet-stream without one (as rpslab's).
		if ct := ctx.Request.Header.ContentType(); len(ct) > 0 {
			ctx.Response.Header.SetContentTypeBytes(ct)
		} else {
			ctx.Response.Header.SetContentTypeBytes(contentTypeOctet)
		}
		ctx.SetBody(ctx.PostBody())
	case "/healthz":
		ctx.SetContentTypeBytes(contentTypeText)
		ctx.Response.SetBodyRaw(bodyOK)
	default:
		ctx.Error("not found\n", fasthttp.StatusNotFound)
	}
}

func (s *server) methodAllowed(ctx *fasthttp.RequestCtx) bool {
	if ctx.IsGet() || ctx.IsHead() {
		return true
	}
	ctx.Error("method not allowed\n", fasthttp.StatusMethodNotAllowed)
	return false
}

// handleRead serves product ?id=N, or without id a pseudo-random one. The pick hashes the
// connection id and the request's number on that connection (pooldump.PickRead): no
// shared RNG, no lock, no state at all, and a different product for every request.
func (s *server) handleRead(ctx *fasthttp.RequestCtx) {
	var id int
	if arg := ctx.QueryArgs().Peek("id"); arg != nil {
		n, err := fasthttp.ParseUint(arg)
		if err != nil {
			ctx.Error("bad id\n", fasthttp.StatusBadRequest)
			return
		}
		if n >= len(s.pool.Read) {
			ctx.Error("no such product\n", fasthttp.StatusNotFound)
			return
		}
		id = n
	} else {
		id = pooldump.PickRead(ctx.ConnID(), ctx.ConnRequestNum(), len(s.pool.Read))
	}
	s.sendEncoded(ctx, s.pool.Read[id], s.pool.ReadGz[id])
}

// sendEncoded sends the gzip body when the client accepts it (DESIGN.md: the exact .gz
// bodies of the dump, compressed once), the identity body otherwise.
func (s *server) sendEncoded(ctx *fasthttp.RequestCtx, identity, gzipped []byte) {
	ctx.SetContentTypeBytes(contentTypeJSON)
	ctx.Response.Header.SetCanonical(headerVary, valueAcceptEncode)
	// Not HasAcceptEncodingBytes: it takes "gzip;q=0.5" for a refusal (and q=0 only by
	// luck); pooldump.AcceptsGzip reads the q-values, as rpslab does.
	if pooldump.AcceptsGzip(ctx.Request.Header.PeekBytes(valueAcceptEncode)) {
		ctx.Response.Header.SetCanonical(headerEncoding, valueGzip)
		ctx.Response.SetBodyRaw(gzipped)
		return
	}
	ctx.Response.SetBodyRaw(identity)
}

func (s *server) handleCompute(ctx *fasthttp.RequestCtx) {
	o := s.pool.Orders
	rows := 0
	if arg := ctx.QueryArgs().Peek("rows"); arg != nil {
		if o == nil {
			ctx.Error("rows not supported: orders.csv unusable\n", fasthttp.StatusNotImplemented)
			return
		}
		// DESIGN.md: rows=N with N in 1..20000 (here: the rows we have); anything else is a 400.
		n, err := fasthttp.ParseUint(arg)
		if err != nil || n < 1 || n > o.Rows() {
			ctx.Error("bad rows\n", fasthttp.StatusBadRequest)
			return
		}
		rows = n
	} else if s.computeLive && o != nil {
		rows = o.Rows()
	}
	ctx.SetContentTypeBytes(contentTypeJSON)
	if rows == 0 {
		ctx.Response.SetBodyRaw(s.pool.Compute)
		return
	}
	scratch := pooldump.GetScratch()
	scratch.Out = o.Aggregate(rows, scratch, scratch.Out[:0])
	ctx.SetBody(scratch.Out) // copies: scratch goes back to the pool right away
	pooldump.PutScratch(scratch)
}

// ---------------------------------------------------------------------------------------
// Start-up.

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	dir := flag.String("dir", "", "directory written by `rpslab pool dump` (required)")
	usePrefork := flag.Bool("prefork", false,
		"one child process per GOMAXPROCS, each with its own SO_REUSEPORT listener (fasthttp/prefork)")
	computeLive := flag.Bool("compute-live", false,
		"compute the default /compute answer per request (default: serve compute.json)")
	flag.Parse()
	log.SetFlags(0)
	if *dir == "" {
		log.Print("fasthttp-peer: -dir is required")
		flag.Usage()
		os.Exit(1)
	}
	p := pooldump.LoadForPeer("fasthttp-peer", *dir, *computeLive)

	h := &server{pool: p, computeLive: *computeLive}
	srv := &fasthttp.Server{
		Handler:              h.handle,
		Name:                 "fasthttp",
		NoDefaultContentType: true,     // every handler sets its own Content-Type
		MaxRequestBodySize:   16 << 20, // DESIGN.md's body limit
	}

	if *usePrefork {
		servePrefork(srv, *addr)
		return
	}
	ln, err := net.Listen("tcp4", *addr)
	if err != nil {
		log.Fatalf("fasthttp-peer: listen %s: %v", *addr, err)
	}
	stopOnSignal(func() { _ = srv.Shutdown() })
	log.Printf("fasthttp-peer: listening on %s (GOMAXPROCS %d)", ln.Addr(), runtime.GOMAXPROCS(0))
	if err := srv.Serve(ln); err != nil {
		log.Fatalf("fasthttp-peer: serve: %v", err)
	}
}

// setParentDeathSignal asks the kernel to send sig when the parent exits (prctl(2)).
func setParentDeathSignal(sig syscall.Signal) error {
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(sig), 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// servePrefork runs fasthttp's prefork: the master starts GOMAXPROCS children (so
// `taskset` and GOMAXPROCS decide how many), each with GOMAXPROCS=1 and its own
// SO_REUSEPORT listener.
func servePrefork(srv *fasthttp.Server, addr string) {
	if prefork.IsChild() {
		// The master may die without running its deferred kill of the children (a
		// signal); the kernel then tells us, so no child outlives its master.
		_ = setParentDeathSignal(syscall.SIGTERM)
		if os.Getppid() == 1 {
			os.Exit(0)
		}
		stopOnSignal(func() { _ = srv.Shutdown() })
	} else {
		stopOnSignal(func() {
			stopping.Store(true)
			terminateChildren()
		})
		log.Printf("fasthttp-peer: prefork on %s (%d children)", addr, runtime.GOMAXPROCS(0))
	}
	pf := prefork.New(srv)
	pf.Reuseport = true
	if err := pf.ListenAndServe(addr); err != nil {
		if stopping.Load() {
			// The children we stopped count as failures to prefork, which gives up once
			// more than RecoverThreshold have exited; the signal handler exits 0.
			select {}
		}
		log.Fatalf("fasthttp-peer: prefork: %v", err)
	}
}

// stopping is set in the prefork master once SIGTERM or SIGINT asked it to stop.
var stopping atomic.Bool

// stopOnSignal runs stop on SIGTERM or SIGINT and then exits 0, the contract the bench
// scripts expect of every server.
func stopOnSignal(stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-ch
		stop()
		os.Exit(0)
	}()
}

// terminateChildren sends SIGTERM to this process's children. prefork keeps its child
// list private, and this kernel may lack /proc/PID/task/TID/children, so scan /proc.
func terminateChildren() {
	self := os.Getpid()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if parentOf(pid) == self {
			_ = syscall.Kill(pid, syscall.SIGTERM)
		}
	}
}

// parentOf reads the ppid from /proc/PID/stat (field 4, after the parenthesised comm,
// which may itself contain spaces and parentheses).
func parentOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 2 {
		return -1
	}
	ppid, _ := strconv.Atoi(string(f[1]))
	return ppid
}
