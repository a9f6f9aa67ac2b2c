// Command fasthttp-peer serves rpslab's workloads with valyala/fasthttp, the fastest
// mainstream Go HTTP/1.1 server, so `rpslab serve` can be measured beside it.
//
// Every body comes from the files `rpslab pool dump DIR` wrote (-dir), loaded once at
// start-up, so both servers send identical bytes. The handlers are written the way a
// fasthttp user tuning for speed would write them: preloaded []byte bodies handed over
// with SetBodyRaw (no copy), header names and values as package-level []byte, no
// allocation per request after warm-up, no shared mutable state on the request path.
//
//	fasthttp-peer -addr 127.0.0.1:8080 -dir /tmp/pool [-prefork] [-compute-live]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/bits"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"syscall"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/prefork"
)

// Header names and values as []byte, so setting them costs no conversion.
var (
	contentTypeJSON   = []byte("application/json")
	contentTypeText   = []byte("text/plain")
	headerEncoding    = []byte("Content-Encoding")
	headerVary        = []byte("Vary")
	valueGzip         = []byte("gzip")
	valueAcceptEncode = []byte("Accept-Encoding")
	bodyOK            = []byte("ok\n")
)

// readCount is the size of the product pool DESIGN.md defines (read/0.json .. read/499.json).
const readCount = 500

// pool holds every body the peer serves, loaded once; nothing in it changes after start-up,
// so every handler goroutine (and every prefork child, which loads its own copy) reads it
// without locks.
type pool struct {
	simple  []byte
	read    [][]byte
	readGz  [][]byte
	list    []byte
	listGz  []byte
	compute []byte
	orders  *orders // nil when orders.csv is unusable: ?rows=N then answers 501
}

func readFile(dir, name string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("pool dump %s: %w", dir, err)
	}
	return b, nil
}

func loadPool(dir string) (*pool, error) {
	p := &pool{read: make([][]byte, readCount), readGz: make([][]byte, readCount)}
	var err error
	if p.simple, err = readFile(dir, "simple.json"); err != nil {
		return nil, err
	}
	for i := 0; i < readCount; i++ {
		if p.read[i], err = readFile(dir, fmt.Sprintf("read/%d.json", i)); err != nil {
			return nil, err
		}
		if p.readGz[i], err = readFile(dir, fmt.Sprintf("read/%d.json.gz", i)); err != nil {
			return nil, err
		}
	}
	if p.list, err = readFile(dir, "list.json"); err != nil {
		return nil, err
	}
	if p.listGz, err = readFile(dir, "list.json.gz"); err != nil {
		return nil, err
	}
	if p.compute, err = readFile(dir, "compute.json"); err != nil {
		return nil, err
	}
	csv, err := readFile(dir, "orders.csv")
	if err != nil {
		return nil, err
	}
	// /compute?rows=N is a bonus over the canned default: a bad orders.csv disables it
	// instead of refusing to serve the other workloads.
	if o, err := parseOrders(csv); err != nil {
		log.Printf("fasthttp-peer: /compute?rows=N disabled: %v", err)
	} else {
		p.orders = o
	}
	return p, nil
}

// ---------------------------------------------------------------------------------------
// /compute: the orders aggregation of DESIGN.md, in integers, over index-coded rows.

// orders is orders.csv as columns. Category and region names are sorted and rows store
// their indexes, so the per-request loop touches four small arrays and no map, and
// "sorted by name" and "ties: the smaller name" both fall out of index order.
type orders struct {
	categories []string
	regions    []string
	category   []uint8
	region     []uint8
	priceCents []uint32
	qty        []uint8
}

// Bounds from DESIGN.md. Within them every sum below fits in 64 bits:
// n·Σprice² ≤ 20000·20000·100000² = 4·10^18 < 2^64.
const (
	maxRows       = 20000
	maxPriceCents = 100000
	maxQty        = 10
	maxNames      = 64
)

func parseOrders(csv []byte) (*orders, error) {
	lines := bytes.Split(bytes.TrimRight(csv, "\n"), []byte("\n"))
	if len(lines) < 2 || string(lines[0]) != "id,category,region,price_cents,qty" {
		return nil, errors.New("orders.csv: missing or unexpected header")
	}
	rows := lines[1:]
	if len(rows) > maxRows {
		return nil, fmt.Errorf("orders.csv: %d rows, more than %d", len(rows), maxRows)
	}
	type raw struct {
		category, region string
		price, qty       uint64
	}
	parsed := make([]raw, len(rows))
	catSet, regSet := map[string]bool{}, map[string]bool{}
	for i, line := range rows {
		f := bytes.Split(line, []byte(","))
		if len(f) != 5 {
			return nil, fmt.Errorf("orders.csv line %d: %d fields", i+2, len(f))
		}
		price, err1 := strconv.ParseUint(string(f[3]), 10, 32)
		qty, err2 := strconv.ParseUint(string(f[4]), 10, 8)
		if err1 != nil || err2 != nil || price > maxPriceCents || qty == 0 || qty > maxQty {
			return nil, fmt.Errorf("orders.csv line %d: bad price or qty", i+2)
		}
		parsed[i] = raw{string(f[1]), string(f[2]), price, qty}
		catSet[parsed[i].category] = true
		regSet[parsed[i].region] = true
	}
	o := &orders{
		categories: sortedKeys(catSet),
		regions:    sortedKeys(regSet),
		category:   make([]uint8, len(rows)),
		region:     make([]uint8, len(rows)),
		priceCents: make([]uint32, len(rows)),
		qty:        make([]uint8, len(rows)),
	}
	if len(o.categories) > maxNames || len(o.regions) > maxNames {
		return nil, errors.New("orders.csv: too many categories or regions")
	}
	catIndex, regIndex := indexOf(o.categories), indexOf(o.regions)
	for i, r := range parsed {
		o.category[i] = catIndex[r.category]
		o.region[i] = regIndex[r.region]
		o.priceCents[i] = uint32(r.price)
		o.qty[i] = uint8(r.qty)
	}
	return o, nil
}

func sortedKeys(set map[string]bool) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func indexOf(names []string) map[string]uint8 {
	m := make(map[string]uint8, len(names))
	for i, n := range names {
		m[n] = uint8(i)
	}
	return m
}

// categoryTotals accumulates one category; regionRevenue is indexed by region.
type categoryTotals struct {
	count, revenue, sumPrice, sumPrice2 uint64
	minPrice, maxPrice                  uint32
	regionRevenue                       [maxNames]uint64
}

// computeScratch is what one /compute request needs; a sync.Pool recycles it so the
// request path does not allocate after warm-up.
type computeScratch struct {
	totals [maxNames]categoryTotals
	out    []byte
}

var scratchPool = sync.Pool{New: func() interface{} { return &computeScratch{out: make([]byte, 0, 4096)} }}

// aggregate appends the /compute answer over the first n rows to dst.
func (o *orders) aggregate(n int, s *computeScratch, dst []byte) []byte {
	t := s.totals[:len(o.categories)]
	for i := range t {
		t[i] = categoryTotals{minPrice: ^uint32(0)}
	}
	cats, regs, prices, qtys := o.category[:n], o.region[:n], o.priceCents[:n], o.qty[:n]
	for i := range cats {
		c := &t[cats[i]]
		p := uint64(prices[i])
		revenue := p * uint64(qtys[i])
		c.count++
		c.revenue += revenue
		c.sumPrice += p
		c.sumPrice2 += p * p
		if prices[i] < c.minPrice {
			c.minPrice = prices[i]
		}
		if prices[i] > c.maxPrice {
			c.maxPrice = prices[i]
		}
		c.regionRevenue[regs[i]] += revenue
	}
	dst = append(dst, '[')
	first := true
	for ci := range t {
		c := &t[ci]
		if c.count == 0 {
			continue // only categories present in the first n rows
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		top := 0 // strict > keeps the smaller (earlier, sorted) name on ties
		for r := 1; r < len(o.regions); r++ {
			if c.regionRevenue[r] > c.regionRevenue[top] {
				top = r
			}
		}
		dst = append(dst, `{"category":"`...)
		dst = append(dst, o.categories[ci]...)
		dst = append(dst, `","count":`...)
		dst = strconv.AppendUint(dst, c.count, 10)
		dst = append(dst, `,"revenue_cents":`...)
		dst = strconv.AppendUint(dst, c.revenue, 10)
		dst = append(dst, `,"min_cents":`...)
		dst = strconv.AppendUint(dst, uint64(c.minPrice), 10)
		dst = append(dst, `,"max_cents":`...)
		dst = strconv.AppendUint(dst, uint64(c.maxPrice), 10)
		dst = append(dst, `,"mean_cents":`...)
		dst = appendDecimal3(dst, c.sumPrice, c.count)
		dst = append(dst, `,"var_cents2":`...)
		// n·Σp² ≥ (Σp)² (Cauchy–Schwarz), so the unsigned subtraction cannot wrap.
		dst = appendDecimal3(dst, c.count*c.sumPrice2-c.sumPrice*c.sumPrice, c.count*c.count)
		dst = append(dst, `,"top_region":"`...)
		dst = append(dst, o.regions[top]...)
		dst = append(dst, `"}`...)
	}
	return append(dst, ']')
}

// appendDecimal3 appends num/den with exactly three decimals, rounded half to even.
// num·1000 can exceed 64 bits, so it is formed and divided as a 128-bit value; the
// quotient fits 64 bits for every value DESIGN.md's bounds allow.
func appendDecimal3(dst []byte, num, den uint64) []byte {
	hi, lo := bits.Mul64(num, 1000)
	q, r := bits.Div64(hi, lo, den)
	if twice := 2 * r; twice > den || (twice == den && q&1 == 1) {
		q++
	}
	dst = strconv.AppendUint(dst, q/1000, 10)
	frac := q % 1000
	dst = append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return dst
}

// ---------------------------------------------------------------------------------------
// Request handling.

type server struct {
	pool        *pool
	computeLive bool // compute the default /compute per request instead of serving compute.json
}

func (s *server) handle(ctx *fasthttp.RequestCtx) {
	// A switch on string(b) compiles to comparisons without converting (no allocation).
	switch string(ctx.Path()) {
	case "/simple":
		if s.methodAllowed(ctx) {
			ctx.SetContentTypeBytes(contentTypeJSON)
			ctx.Response.SetBodyRaw(s.pool.simple)
		}
	case "/read":
		if s.methodAllowed(ctx) {
			s.handleRead(ctx)
		}
	case "/list":
		if s.methodAllowed(ctx) {
			s.sendEncoded(ctx, s.pool.list, s.pool.listGz)
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
		// request's Content-Type (none if it had none: NoDefaultContentType).
		ctx.Response.Header.SetContentTypeBytes(ctx.Request.Header.ContentType())
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
// connection id and the request's number on that connection (splitmix64): no shared RNG,
// no lock, no state at all, and a different product for every request.
func (s *server) handleRead(ctx *fasthttp.RequestCtx) {
	var id int
	if arg := ctx.QueryArgs().Peek("id"); arg != nil {
		n, err := fasthttp.ParseUint(arg)
		if err != nil {
			ctx.Error("bad id\n", fasthttp.StatusBadRequest)
			return
		}
		if n >= len(s.pool.read) {
			ctx.Error("no such product\n", fasthttp.StatusNotFound)
			return
		}
		id = n
	} else {
		h := splitmix64(ctx.ConnID()<<32 ^ ctx.ConnRequestNum())
		id = int((h >> 32) * uint64(len(s.pool.read)) >> 32)
	}
	s.sendEncoded(ctx, s.pool.read[id], s.pool.readGz[id])
}

func splitmix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// sendEncoded sends the gzip body when the client accepts it (DESIGN.md: the exact .gz
// bodies of the dump, compressed once), the identity body otherwise.
func (s *server) sendEncoded(ctx *fasthttp.RequestCtx, identity, gzipped []byte) {
	ctx.SetContentTypeBytes(contentTypeJSON)
	ctx.Response.Header.SetCanonical(headerVary, valueAcceptEncode)
	if ctx.Request.Header.HasAcceptEncodingBytes(valueGzip) {
		ctx.Response.Header.SetCanonical(headerEncoding, valueGzip)
		ctx.Response.SetBodyRaw(gzipped)
		return
	}
	ctx.Response.SetBodyRaw(identity)
}

func (s *server) handleCompute(ctx *fasthttp.RequestCtx) {
	o := s.pool.orders
	rows := 0
	if arg := ctx.QueryArgs().Peek("rows"); arg != nil {
		if o == nil {
			ctx.Error("rows not supported: orders.csv unusable\n", fasthttp.StatusNotImplemented)
			return
		}
		// DESIGN.md: rows=N with N in 1..20000 (here: the rows we have); anything else is a 400.
		n, err := fasthttp.ParseUint(arg)
		if err != nil || n < 1 || n > len(o.category) {
			ctx.Error("bad rows\n", fasthttp.StatusBadRequest)
			return
		}
		rows = n
	} else if s.computeLive && o != nil {
		rows = len(o.category)
	}
	ctx.SetContentTypeBytes(contentTypeJSON)
	if rows == 0 {
		ctx.Response.SetBodyRaw(s.pool.compute)
		return
	}
	scratch := scratchPool.Get().(*computeScratch)
	scratch.out = o.aggregate(rows, scratch, scratch.out[:0])
	ctx.SetBody(scratch.out) // copies: scratch goes back to the pool right away
	scratchPool.Put(scratch)
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
	p, err := loadPool(*dir)
	if err != nil {
		log.Fatalf("fasthttp-peer: %v", err)
	}
	checkCompute(p, *computeLive)

	h := &server{pool: p, computeLive: *computeLive}
	srv := &fasthttp.Server{
		Handler:              h.handle,
		Name:                 "fasthttp",
		NoDefaultContentType: true,     // /echo answers with the request's type, or none
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

// checkCompute computes the default /compute answer once and compares it with the dump's
// compute.json: the same bytes from two implementations is the test that ours is right.
// With -compute-live a mismatch is fatal, since that answer would then be served.
func checkCompute(p *pool, live bool) {
	if p.orders == nil {
		if live {
			log.Fatal("fasthttp-peer: -compute-live needs a usable orders.csv")
		}
		return
	}
	got := p.orders.aggregate(len(p.orders.category), &computeScratch{}, nil)
	if bytes.Equal(got, bytes.TrimRight(p.compute, "\n")) {
		return
	}
	if live {
		log.Fatal("fasthttp-peer: computed /compute differs from compute.json; refusing -compute-live")
	}
	log.Print("fasthttp-peer: warning: computed /compute differs from compute.json; ?rows=N answers may be wrong")
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
		stopOnSignal(terminateChildren)
		log.Printf("fasthttp-peer: prefork on %s (%d children)", addr, runtime.GOMAXPROCS(0))
	}
	pf := prefork.New(srv)
	pf.Reuseport = true
	if err := pf.ListenAndServe(addr); err != nil {
		log.Fatalf("fasthttp-peer: prefork: %v", err)
	}
}

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
