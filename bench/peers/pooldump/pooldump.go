// Package pooldump is what the Go peers (fasthttp-peer, nethttp-peer) share: the bodies
// `rpslab pool dump DIR` wrote, loaded once, and the /compute aggregation of DESIGN.md
// over orders.csv, so both peers serve the same bytes from one implementation.
//
// It is built in GOPATH mode (Debian's Go libraries are source trees, and no module
// proxy is reachable): bench/peers/build-go-peers.sh links bench/peers into a private
// GOPATH as rpslab/bench/peers, so the peers import "rpslab/bench/peers/pooldump".
package pooldump

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"math/bits"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
)

// ReadCount is the size of the product pool DESIGN.md defines (read/0.json .. read/499.json).
const ReadCount = 500

// Pool holds every body a peer serves, loaded once. Nothing in it changes after Load, so
// every handler goroutine (and every prefork child, which loads its own copy) reads it
// without locks.
type Pool struct {
	Simple  []byte
	Read    [][]byte // Read[i] is read/i.json
	ReadGz  [][]byte // ReadGz[i] is read/i.json.gz, the exact gzip body to send
	List    []byte
	ListGz  []byte
	Compute []byte // the default /compute answer, as the dump wrote it
	// Orders is orders.csv, index-coded; nil when the file is unusable, OrdersErr then
	// says why. /compute?rows=N needs it; the canned default answer does not.
	Orders    *Orders
	OrdersErr error
}

func readFile(dir, name string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("pool dump %s: %w", dir, err)
	}
	return b, nil
}

// Load reads the dump in dir. A missing body is an error; a bad orders.csv only disables
// /compute?rows=N (OrdersErr), so the other workloads can still be served.
func Load(dir string) (*Pool, error) {
	p := &Pool{Read: make([][]byte, ReadCount), ReadGz: make([][]byte, ReadCount)}
	var err error
	if p.Simple, err = readFile(dir, "simple.json"); err != nil {
		return nil, err
	}
	for i := 0; i < ReadCount; i++ {
		if p.Read[i], err = readFile(dir, fmt.Sprintf("read/%d.json", i)); err != nil {
			return nil, err
		}
		if p.ReadGz[i], err = readFile(dir, fmt.Sprintf("read/%d.json.gz", i)); err != nil {
			return nil, err
		}
	}
	if p.List, err = readFile(dir, "list.json"); err != nil {
		return nil, err
	}
	if p.ListGz, err = readFile(dir, "list.json.gz"); err != nil {
		return nil, err
	}
	if p.Compute, err = readFile(dir, "compute.json"); err != nil {
		return nil, err
	}
	csv, err := readFile(dir, "orders.csv")
	if err != nil {
		return nil, err
	}
	p.Orders, p.OrdersErr = ParseOrders(csv)
	return p, nil
}

// LoadForPeer is a peer's start-up: it loads the dump in dir, then checks its /compute
// against compute.json. With computeLive a mismatch is fatal (the peer would serve wrong
// bytes); otherwise it is logged, and /compute?rows=N disabled when the orders are missing.
// Any other failure ends the process with a message naming the peer.
func LoadForPeer(name, dir string, computeLive bool) *Pool {
	p, err := Load(dir)
	if err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	switch err := p.CheckCompute(); {
	case err == nil:
	case computeLive:
		log.Fatalf("%s: refusing -compute-live: %v", name, err)
	case p.Orders == nil:
		log.Printf("%s: /compute?rows=N disabled: %v", name, err)
	default:
		log.Printf("%s: warning: %v; ?rows=N answers may be wrong", name, err)
	}
	return p
}

// CheckCompute computes the default /compute answer once and compares it with the dump's
// compute.json: the same bytes from two implementations is the test that this one is
// right. It returns why /compute?rows=N (or a live default) cannot be trusted, or nil.
func (p *Pool) CheckCompute() error {
	if p.Orders == nil {
		return fmt.Errorf("orders.csv unusable: %w", p.OrdersErr)
	}
	got := p.Orders.Aggregate(p.Orders.Rows(), &Scratch{}, nil)
	if !bytes.Equal(got, bytes.TrimRight(p.Compute, "\n")) {
		return errors.New("the computed /compute differs from compute.json")
	}
	return nil
}

// PickRead maps a connection id and the request's number on that connection to a
// product index, uniformly (splitmix64, then a multiply-shift into [0, n)). A peer that
// hashes per-connection counters needs no shared RNG, no lock and no shared state, and
// still serves a different product for every request.
func PickRead(connID, requestNum uint64, n int) int {
	h := splitmix64(connID<<32 ^ requestNum)
	return int((h >> 32) * uint64(n) >> 32)
}

func splitmix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// AcceptsGzip reports whether an Accept-Encoding value lists gzip (any case) with a
// q-value above 0 (docs/workloads.md), e.g. "gzip", "br;q=1.0, gzip", "gzip;q=0.5" but
// not "gzip;q=0" or "deflate". It reads the value in place, as a string (net/http) or as
// []byte (fasthttp), and allocates nothing.
func AcceptsGzip[T ~string | ~[]byte](v T) bool {
	for len(v) > 0 {
		item := v
		if i := indexByte(v, ','); i >= 0 {
			item, v = v[:i], v[i+1:]
		} else {
			v = v[len(v):]
		}
		coding, params := item, item[len(item):]
		if i := indexByte(item, ';'); i >= 0 {
			coding, params = item[:i], item[i+1:]
		}
		if equalFoldASCII(trimSpace(coding), "gzip") && !qIsZero(params) {
			return true
		}
	}
	return false
}

// qIsZero: the parameters of one coding ("q=0", " q=0.000; x=y") carry a zero q-value.
func qIsZero[T ~string | ~[]byte](params T) bool {
	for len(params) > 0 {
		p := params
		if i := indexByte(params, ';'); i >= 0 {
			p, params = params[:i], params[i+1:]
		} else {
			params = params[len(params):]
		}
		eq := indexByte(p, '=')
		if eq < 0 || !equalFoldASCII(trimSpace(p[:eq]), "q") {
			continue
		}
		value := trimSpace(p[eq+1:])
		if len(value) == 0 || value[0] != '0' {
			return false
		}
		// 0, 0., 0.0, 0.00, 0.000 are zero; 0.5 is not.
		for i := 1; i < len(value); i++ {
			if c := value[i]; c != '0' && !(c == '.' && i == 1) {
				return false
			}
		}
		return true
	}
	return false
}

func indexByte[T ~string | ~[]byte](s T, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func trimSpace[T ~string | ~[]byte](s T) T {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// equalFoldASCII compares s with a lower-case ASCII word, ignoring the case of s.
func equalFoldASCII[T ~string | ~[]byte](s T, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------------------
// /compute: the orders aggregation of DESIGN.md, in integers, over index-coded rows.

// Orders is orders.csv as columns. Category and region names are sorted and rows store
// their indexes, so the per-request loop touches four small arrays and no map, and
// "sorted by name" and "ties: the smaller name" both fall out of index order.
type Orders struct {
	categories []string
	regions    []string
	category   []uint8
	region     []uint8
	priceCents []uint32
	qty        []uint8
}

// Rows is the number of rows; /compute?rows=N takes N in 1..Rows().
func (o *Orders) Rows() int { return len(o.category) }

// Bounds from DESIGN.md. Within them every sum below fits in 64 bits:
// n·Σprice² ≤ 20000·20000·100000² = 4·10^18 < 2^64.
const (
	maxRows       = 20000
	maxPriceCents = 100000
	maxQty        = 10
	maxNames      = 64
)

// ParseOrders reads orders.csv (header id,category,region,price_cents,qty; LF endings),
// refusing anything outside DESIGN.md's bounds, which the sums rely on.
func ParseOrders(csv []byte) (*Orders, error) {
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
	o := &Orders{
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

// Scratch is what one /compute request needs: the per-category totals and Out, a
// buffer for the answer. GetScratch and PutScratch recycle them, so the request path
// does not allocate after warm-up.
type Scratch struct {
	totals [maxNames]categoryTotals
	Out    []byte
}

var scratchPool = sync.Pool{New: func() interface{} { return &Scratch{Out: make([]byte, 0, 4096)} }}

// GetScratch takes a Scratch from the shared pool.
func GetScratch() *Scratch { return scratchPool.Get().(*Scratch) }

// PutScratch gives s back; neither s nor s.Out may be used afterwards.
func PutScratch(s *Scratch) { scratchPool.Put(s) }

// Aggregate appends the /compute answer over the first n rows (1 ≤ n ≤ Rows()) to dst.
func (o *Orders) Aggregate(n int, s *Scratch, dst []byte) []byte {
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
