// Command nethttp-peer serves rpslab's workloads with Go's standard net/http, the server
// most Go services run, so `rpslab serve` can be measured beside it.
//
// Every body comes from the files `rpslab pool dump DIR` wrote (-dir), loaded once at
// start-up by package pooldump (shared with the fasthttp peer, as is the /compute
// aggregation), so every server sends identical bytes. The handler is written the way a
// net/http user tuning for speed writes one:
//
//   - one http.Handler that switches on the path (no ServeMux pattern matching);
//   - response headers assigned into the header map from package-level []string values,
//     with Content-Length preformatted per body at start-up, so the handler converts
//     and allocates nothing, and net/http sends the body with Content-Length (never
//     chunked) and sniffs nothing;
//   - the query and Accept-Encoding read in place, without url.Values or header parsing
//     that allocates;
//   - /compute's scratch and /echo's buffer recycled through sync.Pool;
//   - keep-alive on (net/http's default) with an idle timeout like nginx's.
//
// What net/http itself allocates per request (the Request, its header map and URL, the
// response's header clone) is the price of net/http and is not worked around: this peer
// shows what the standard library costs, not how far it can be bypassed. Its buffers are
// net/http's fixed 4 KiB reader and writer; the server has no setting for them.
//
//	nethttp-peer -addr 127.0.0.1:8080 -dir /tmp/pool [-compute-live]
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"rpslab/bench/peers/pooldump"
)

// DESIGN.md's limits that apply here: the header section and the request body.
const (
	maxHeaderBytes = 64 << 10
	maxBodyBytes   = 16 << 20
)

// Header values as package-level slices, assigned into the response's header map as
// they are (net/http never modifies a value slice; each has len == cap, so an append
// elsewhere would copy rather than write into it).
var (
	valueJSON         = []string{"application/json"}
	valueText         = []string{"text/plain"}
	valueOctetStream  = []string{"application/octet-stream"}
	valueGzip         = []string{"gzip"}
	valueVary         = []string{"Accept-Encoding"}
	valueAllowGetHead = []string{"GET, HEAD"}
	valueAllowPost    = []string{"POST"}
)

// body is a response body with its Content-Length value, formatted once.
type body struct {
	data   []byte
	length []string
}

func newBody(b []byte) body {
	return body{data: b, length: contentLength(len(b))}
}

// smallLengths holds Content-Length values 0..4096 formatted once, so a response whose
// body is made per request (/compute?rows=N, at most about 2 KB; a small /echo) needs
// no conversion either.
var smallLengths = func() [][]string {
	t := make([][]string, 4097)
	for n := range t {
		t[n] = []string{strconv.Itoa(n)}
	}
	return t
}()

func contentLength(n int) []string {
	if n < len(smallLengths) {
		return smallLengths[n]
	}
	return []string{strconv.Itoa(n)}
}

// encoded is a body the client may also get gzip-encoded (the dump's .gz twin).
type encoded struct {
	identity, gzip body
}

type server struct {
	simple, compute, healthz body
	read                     []encoded
	list                     encoded
	orders                   *pooldump.Orders // nil: ?rows=N answers 501
	computeLive              bool
}

func newServer(p *pooldump.Pool, computeLive bool) *server {
	s := &server{
		simple:      newBody(p.Simple),
		compute:     newBody(p.Compute),
		healthz:     newBody([]byte("ok\n")),
		read:        make([]encoded, len(p.Read)),
		list:        encoded{newBody(p.List), newBody(p.ListGz)},
		orders:      p.Orders,
		computeLive: computeLive,
	}
	for i := range p.Read {
		s.read[i] = encoded{newBody(p.Read[i]), newBody(p.ReadGz[i])}
	}
	return s
}

// ---------------------------------------------------------------------------------------
// Per-connection state.

// connState is what a connection's requests share: an id and a request counter, the
// inputs of /read's random pick. net/http serves one request of a connection at a time
// (pipelined ones in turn, on the connection's goroutine), so requests needs no lock.
type connState struct {
	id, requests uint64
}

type connStateKey struct{}

var lastConnID atomic.Uint64

// connContext gives every new connection its connState (one allocation per connection,
// none per request).
func connContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connStateKey{}, &connState{id: lastConnID.Add(1)})
}

// ---------------------------------------------------------------------------------------
// Request handling.

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/simple":
		if methodAllowed(w, r) {
			send(w, r, s.simple, valueJSON)
		}
	case "/read":
		if methodAllowed(w, r) {
			s.handleRead(w, r)
		}
	case "/list":
		if methodAllowed(w, r) {
			sendEncoded(w, r, &s.list)
		}
	case "/compute":
		if methodAllowed(w, r) {
			s.handleCompute(w, r)
		}
	case "/echo":
		handleEcho(w, r)
	case "/healthz":
		send(w, r, s.healthz, valueText)
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}

func methodAllowed(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header()["Allow"] = valueAllowGetHead
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// send writes b with status 200; for HEAD net/http sends the headers only.
func send(w http.ResponseWriter, r *http.Request, b body, contentType []string) {
	h := w.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = b.length
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.data)
	}
}

// sendEncoded sends the gzip body when the client accepts it (DESIGN.md: the exact .gz
// bodies of the dump, compressed once), the identity body otherwise; both vary on
// Accept-Encoding.
func sendEncoded(w http.ResponseWriter, r *http.Request, e *encoded) {
	h := w.Header()
	h["Vary"] = valueVary
	if acceptsGzip(r.Header["Accept-Encoding"]) {
		h["Content-Encoding"] = valueGzip
		send(w, r, e.gzip, valueJSON)
		return
	}
	send(w, r, e.identity, valueJSON)
}

// acceptsGzip: one of the Accept-Encoding values lists gzip with q > 0 (read in place).
func acceptsGzip(values []string) bool {
	for _, v := range values {
		if pooldump.AcceptsGzip(v) {
			return true
		}
	}
	return false
}

// queryArg returns the raw value of key in a query string, without building url.Values.
// The values rpslab's workloads take are digits, which need no unescaping.
func queryArg(rawQuery, key string) (string, bool) {
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = strings.Cut(rawQuery, "&")
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v, true
		}
	}
	return "", false
}

// parseCount parses a decimal count: digits only (no sign, no spaces), at most 9 of them.
func parseCount(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// handleRead serves product ?id=N, or without id a pseudo-random one picked from the
// connection's id and request count (pooldump.PickRead): no shared RNG, no lock.
func (s *server) handleRead(w http.ResponseWriter, r *http.Request) {
	var id int
	if arg, ok := queryArg(r.URL.RawQuery, "id"); ok {
		n, valid := parseCount(arg)
		if !valid {
			http.Error(w, "bad id", http.StatusBadRequest)
			return
		}
		if n >= len(s.read) {
			http.Error(w, "no such product", http.StatusNotFound)
			return
		}
		id = n
	} else {
		cs := r.Context().Value(connStateKey{}).(*connState)
		cs.requests++
		id = pooldump.PickRead(cs.id, cs.requests, len(s.read))
	}
	sendEncoded(w, r, &s.read[id])
}

func (s *server) handleCompute(w http.ResponseWriter, r *http.Request) {
	o := s.orders
	rows := 0
	if arg, ok := queryArg(r.URL.RawQuery, "rows"); ok {
		if o == nil {
			http.Error(w, "rows not supported: orders.csv unusable", http.StatusNotImplemented)
			return
		}
		// DESIGN.md: rows=N with N in 1..20000 (here: the rows we have); anything else is a 400.
		n, valid := parseCount(arg)
		if !valid || n < 1 || n > o.Rows() {
			http.Error(w, "bad rows", http.StatusBadRequest)
			return
		}
		rows = n
	} else if s.computeLive && o != nil {
		rows = o.Rows()
	}
	if rows == 0 {
		send(w, r, s.compute, valueJSON)
		return
	}
	scratch := pooldump.GetScratch()
	scratch.Out = o.Aggregate(rows, scratch, scratch.Out[:0])
	h := w.Header()
	h["Content-Type"] = valueJSON
	h["Content-Length"] = contentLength(len(scratch.Out))
	if r.Method != http.MethodHead {
		_, _ = w.Write(scratch.Out) // copied into net/http's buffer or written out here
	}
	pooldump.PutScratch(scratch)
}

// echoBuffers recycles /echo's body buffers; ones grown past keepEchoBuffer are dropped
// rather than kept alive in the pool.
var echoBuffers = sync.Pool{New: func() interface{} { b := make([]byte, 0, 16<<10); return &b }}

const keepEchoBuffer = 1 << 20

var errBodyTooLarge = errors.New("request body over the limit")

// handleEcho answers POST with the request body (net/http has de-chunked a chunked one)
// and the request's Content-Type, application/octet-stream without one (as rpslab's).
func handleEcho(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header()["Allow"] = valueAllowPost
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > maxBodyBytes {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	bufp := echoBuffers.Get().(*[]byte)
	defer func() {
		if cap(*bufp) <= keepEchoBuffer {
			echoBuffers.Put(bufp)
		}
	}()
	b, err := readBody(r.Body, (*bufp)[:0])
	*bufp = b
	switch {
	case errors.Is(err, errBodyTooLarge):
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		http.Error(w, "bad request body", http.StatusBadRequest)
		return
	}
	h := w.Header()
	if ct := r.Header["Content-Type"]; len(ct) > 0 {
		h["Content-Type"] = ct
	} else {
		h["Content-Type"] = valueOctetStream
	}
	h["Content-Length"] = contentLength(len(b))
	_, _ = w.Write(b)
}

// readBody appends all of body to buf, growing it as needed, up to maxBodyBytes.
func readBody(body io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > maxBodyBytes {
			return buf, errBodyTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// ---------------------------------------------------------------------------------------
// Start-up.

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	dir := flag.String("dir", "", "directory written by `rpslab pool dump` (required)")
	computeLive := flag.Bool("compute-live", false,
		"compute the default /compute answer per request (default: serve compute.json)")
	flag.Parse()
	log.SetFlags(0)
	if *dir == "" {
		log.Print("nethttp-peer: -dir is required")
		flag.Usage()
		os.Exit(1)
	}
	p := pooldump.LoadForPeer("nethttp-peer", *dir, *computeLive)

	srv := &http.Server{
		Handler:     newServer(p, *computeLive),
		ConnContext: connContext,
		// Production settings a net/http user sets: a bound on slow request headers and
		// on idle keep-alive connections (nginx's client_header_timeout and
		// keepalive_timeout), and DESIGN.md's header limit. No read or write timeout
		// on the whole request: /list is 450 KB and /echo up to 16 MiB.
		ReadHeaderTimeout: 60 * time.Second,
		IdleTimeout:       65 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	ln, err := net.Listen("tcp4", *addr)
	if err != nil {
		log.Fatalf("nethttp-peer: listen %s: %v", *addr, err)
	}
	done := make(chan struct{})
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
		<-ch
		// Finish the requests in flight, briefly; then exit 0, the contract the bench
		// scripts expect of every server.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		close(done)
	}()
	log.Printf("nethttp-peer: listening on %s (GOMAXPROCS %d)", ln.Addr(), runtime.GOMAXPROCS(0))
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("nethttp-peer: serve: %v", err)
	}
	<-done
}
