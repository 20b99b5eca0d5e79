// examples/go/main.go - ask pipewright for a report from Go, and keep its audio.
//
//	go run . OUT.ogg ["requirement in free text"]
//
// Publishes one requirement event to PREFIX.requirements with franz-go, Avro (hamba/avro) in the
// Confluent wire format with the requirement schema the daemon registered, then reads
// PREFIX.reports and PREFIX.audio read_committed until the report whose pw.event_id header is
// this event's id has arrived, prints its executive summary, joins the audio chunks of the same
// event by chunk_index, checks their SHA-256 and writes them to OUT.
//
// Environment: KAFKA_BOOTSTRAP (127.0.0.1:19092), SCHEMA_REGISTRY_URL (the Confluent-compatible
// URL, http://127.0.0.1:18081/apis/ccompat/v7), PIPEWRIGHT_TOPIC_PREFIX (pipewright),
// PIPEWRIGHT_TIMEOUT_S (120). Exits 0 on success, 1 on a timeout or a bad artifact.
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/kgo"
)

const defaultText = "2 TB/day of clickstream from 40 apps, dashboards fresher than 5 minutes, " +
	"GDPR, AWS, $25k a month"

// Requirement holds the fields this example sets; the schema's other fields are optional and
// written as their defaults (null).
type Requirement struct {
	EventID     string  `avro:"event_id"`
	ProjectID   string  `avro:"project_id"`
	SubmittedAt *int64  `avro:"submitted_at"`
	Title       *string `avro:"title"`
	Description *string `avro:"description"`
}

// Report and Audio hold the fields read here; the decoder skips the others.
type Report struct {
	EventID          string `avro:"event_id"`
	ExecutiveSummary string `avro:"executive_summary"`
	AudioStatus      string `avro:"audio_status"`
}

type Audio struct {
	Codec      string `avro:"codec"`
	DurationMs int64  `avro:"duration_ms"`
	SHA256     string `avro:"sha256"`
	ChunkIndex int32  `avro:"chunk_index"`
	ChunkCount int32  `avro:"chunk_count"`
	Data       []byte `avro:"data"`
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func header(r *kgo.Record, name string) string {
	for _, h := range r.Headers {
		if h.Key == name {
			return string(h.Value)
		}
	}
	return ""
}

func publish(ctx context.Context, reg *Registry, brokers []string, topic string,
	req Requirement) error {

	id, schema, err := reg.Latest(ctx, topic+"-value")
	if err != nil {
		return err
	}
	datum, err := avro.Marshal(schema, req)
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return err
	}
	defer cl.Close()
	rec := &kgo.Record{
		Topic:   topic,
		Key:     []byte(req.ProjectID),
		Value:   Frame(id, datum),
		Headers: []kgo.RecordHeader{{Key: "pw.event_id", Value: []byte(req.EventID)}},
	}
	return cl.ProduceSync(ctx, rec).FirstErr()
}

// await reads both output topics from the start (a group of its own, so nothing is missed
// however fast the daemon answers) until the report and its whole audio are in.
func await(ctx context.Context, reg *Registry, brokers []string,
	prefix, eventID, out string) error {

	reports := prefix + ".reports"
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...),
		kgo.ConsumerGroup("pipewright-example-"+newID()),
		kgo.ConsumeTopics(reports, prefix+".audio"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.DisableAutoCommit())
	if err != nil {
		return err
	}
	defer cl.Close()
	var report *Report
	chunks := map[int32]Audio{}
	for {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("no complete answer for %s in time", eventID)
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			return fmt.Errorf("fetching %s: %w", errs[0].Topic, errs[0].Err)
		}
		for _, r := range fetches.Records() {
			if header(r, "pw.event_id") != eventID {
				continue
			}
			if r.Topic == reports {
				report = &Report{}
				if err := reg.Decode(ctx, r.Value, report); err != nil {
					return err
				}
				fmt.Println(report.ExecutiveSummary)
			} else {
				var a Audio
				if err := reg.Decode(ctx, r.Value, &a); err != nil {
					return err
				}
				chunks[a.ChunkIndex] = a
			}
		}
		if report != nil && report.AudioStatus != "pending" && report.AudioStatus != "ready" {
			fmt.Fprintf(os.Stderr, "audio %s: none to save\n", report.AudioStatus)
			return nil
		}
		if first, ok := chunks[0]; report != nil && ok && len(chunks) == int(first.ChunkCount) {
			return save(chunks, out)
		}
	}
}

// save joins the chunks in index order, checks the artifact's SHA-256, writes it to out.
func save(chunks map[int32]Audio, out string) error {
	first := chunks[0]
	var data []byte
	for i := int32(0); i < first.ChunkCount; i++ {
		data = append(data, chunks[i].Data...)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != first.SHA256 {
		return fmt.Errorf("audio SHA-256 %x differs from %s", sum, first.SHA256)
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "audio: %s, %d ms, %d bytes in %d chunk(s) -> %s\n",
		first.Codec, first.DurationMs, len(data), len(chunks), out)
	return nil
}

func run() error {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, `usage: advise OUT.ogg ["requirement text"]`)
		os.Exit(64)
	}
	text := defaultText
	if len(os.Args) > 2 {
		text = os.Args[2]
	}
	brokers := strings.Split(env("KAFKA_BOOTSTRAP", "127.0.0.1:19092"), ",")
	prefix := env("PIPEWRIGHT_TOPIC_PREFIX", "pipewright")
	reg := NewRegistry(env("SCHEMA_REGISTRY_URL", "http://127.0.0.1:18081/apis/ccompat/v7"))
	timeout, err := strconv.Atoi(env("PIPEWRIGHT_TIMEOUT_S", "120"))
	if err != nil {
		return fmt.Errorf("PIPEWRIGHT_TIMEOUT_S: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(timeout)*time.Second)
	defer cancel()

	now, title := time.Now().UnixMilli(), "Asked from Go"
	req := Requirement{EventID: newID(), ProjectID: "example-go", SubmittedAt: &now,
		Title: &title, Description: &text}
	if err := publish(ctx, reg, brokers, prefix+".requirements", req); err != nil {
		return fmt.Errorf("publishing: %w", err)
	}
	fmt.Fprintf(os.Stderr, "published event %s\n", req.EventID)
	return await(ctx, reg, brokers, prefix, req.EventID, os.Args[1])
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
