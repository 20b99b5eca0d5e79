// examples/go/registry.go - the Confluent wire format and the two registry look-ups it needs.
//
// A framed value is 0x00, the schema id (4 bytes, big-endian), then the Avro datum. Writer
// schemas are fetched once by id (GET /schemas/ids/ID) and kept; a producer takes the
// subject's latest version (GET /subjects/SUBJECT/versions/latest). Plain net/http against
// the Confluent REST API: franz-go's own registry client (pkg/sr) needs Go 1.21, and this
// example builds with Debian 12's Go 1.19 as well.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/hamba/avro/v2"
)

type Registry struct {
	base    string
	mu      sync.Mutex
	schemas map[uint32]avro.Schema
}

func NewRegistry(base string) *Registry {
	return &Registry{base: strings.TrimRight(base, "/"), schemas: map[uint32]avro.Schema{}}
}

func (r *Registry) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.schemaregistry.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("schema registry: GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

// Latest returns the id and parsed schema of the subject's latest version.
func (r *Registry) Latest(ctx context.Context, subject string) (uint32, avro.Schema, error) {
	var v struct {
		ID     uint32 `json:"id"`
		Schema string `json:"schema"`
	}
	if err := r.get(ctx, "/subjects/"+url.PathEscape(subject)+"/versions/latest", &v); err != nil {
		return 0, nil, err
	}
	s, err := avro.Parse(v.Schema)
	return v.ID, s, err
}

func (r *Registry) byID(ctx context.Context, id uint32) (avro.Schema, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.schemas[id]; ok {
		return s, nil
	}
	var v struct {
		Schema string `json:"schema"`
	}
	if err := r.get(ctx, fmt.Sprintf("/schemas/ids/%d", id), &v); err != nil {
		return nil, err
	}
	s, err := avro.Parse(v.Schema)
	if err != nil {
		return nil, err
	}
	r.schemas[id] = s
	return s, nil
}

// Decode reads a framed value into 'into' with the writer schema its id names.
func (r *Registry) Decode(ctx context.Context, value []byte, into any) error {
	if len(value) < 5 || value[0] != 0 {
		return fmt.Errorf("not in the Confluent wire format (is the daemon given a registry?)")
	}
	s, err := r.byID(ctx, binary.BigEndian.Uint32(value[1:5]))
	if err != nil {
		return err
	}
	return avro.Unmarshal(s, value[5:], into)
}

// Frame puts the header in front of a datum written with schema 'id'.
func Frame(id uint32, datum []byte) []byte {
	out := make([]byte, 5, 5+len(datum))
	binary.BigEndian.PutUint32(out[1:5], id)
	return append(out, datum...)
}
