/*
 * examples/java/.../Advise.java - ask pipewright for a report from Java, and keep its audio.
 *
 *   java -jar target/advise.jar OUT.ogg ["requirement in free text"]
 *
 * Publishes one requirement event (schemas/requirement.avsc) to PREFIX.requirements, Avro in
 * the Confluent wire format with the schema registered in the registry, then reads
 * PREFIX.reports and PREFIX.audio with isolation.level=read_committed until the report whose
 * pw.event_id header is this event's id has arrived, prints its executive summary, joins the
 * audio chunks of the same event by chunk_index, checks their SHA-256 and writes them to OUT.
 *
 * Environment: KAFKA_BOOTSTRAP (127.0.0.1:19092), SCHEMA_REGISTRY_URL (the Confluent-compatible
 * URL, http://127.0.0.1:18081/apis/ccompat/v7), PIPEWRIGHT_TOPIC_PREFIX (pipewright),
 * PIPEWRIGHT_SCHEMAS (the folder holding requirement.avsc, ../../schemas),
 * PIPEWRIGHT_TIMEOUT_S (120). Exits 0 on success, 1 on a timeout or a bad artifact.
 */
package io.pipewright.example;

import io.apicurio.registry.serde.Legacy4ByteIdHandler;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class Advise {
    private static final String DEFAULT_TEXT = "2 TB/day of clickstream from 40 apps, dashboards "
            + "fresher than 5 minutes, GDPR, AWS, $25k a month";

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: advise OUT.ogg [\"requirement text\"]");
            System.exit(64);
        }
        String bootstrap = env("KAFKA_BOOTSTRAP", "127.0.0.1:19092");
        String prefix = env("PIPEWRIGHT_TOPIC_PREFIX", "pipewright");
        Map<String, Object> serde = serdeConfig(
                env("SCHEMA_REGISTRY_URL", "http://127.0.0.1:18081/apis/ccompat/v7"));
        Schema schema = new Schema.Parser().parse(
                new File(env("PIPEWRIGHT_SCHEMAS", "../../schemas"), "requirement.avsc"));

        String eventId = UUID.randomUUID().toString();
        GenericRecord req = new GenericData.Record(schema);
        req.put("event_id", eventId);
        req.put("project_id", "example-java");
        req.put("submitted_at", System.currentTimeMillis());
        req.put("title", "Asked from Java");
        req.put("description", args.length > 1 ? args[1] : DEFAULT_TEXT);
        publish(bootstrap, serde, prefix + ".requirements", req);
        System.err.println("published event " + eventId);

        long deadline = System.nanoTime()
                + Duration.ofSeconds(Long.parseLong(env("PIPEWRIGHT_TIMEOUT_S", "120"))).toNanos();
        if (!await(bootstrap, serde, prefix, eventId, Path.of(args[0]), deadline)) {
            System.err.println("no complete answer for " + eventId + " in time");
            System.exit(1);
        }
    }

    /* Apicurio's serde speaks the registry's own API (/apis/registry/v2) of the same server.
     * With the 4-byte id handler and content ids it writes 00 and the id the Confluent-
     * compatible API hands out before the datum, which is what Confluent clients write. */
    static Map<String, Object> serdeConfig(String ccompatUrl) {
        return Map.of(
                SerdeConfig.REGISTRY_URL, ccompatUrl.replaceFirst("/apis/ccompat/v\\d+/?$", "")
                        + "/apis/registry/v2",
                SerdeConfig.ID_HANDLER, Legacy4ByteIdHandler.class.getName(),
                SerdeConfig.USE_ID, "contentId",
                SerdeConfig.ENABLE_HEADERS, false,
                SerdeConfig.AUTO_REGISTER_ARTIFACT, true,
                SerdeConfig.AUTO_REGISTER_ARTIFACT_IF_EXISTS, "RETURN_OR_UPDATE");
    }

    static void publish(String bootstrap, Map<String, Object> serde, String topic,
                        GenericRecord req) throws Exception {
        Properties p = new Properties();
        p.putAll(serde);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class.getName());
        try (KafkaProducer<String, GenericRecord> producer = new KafkaProducer<>(p)) {
            String key = req.get("project_id").toString();
            ProducerRecord<String, GenericRecord> rec = new ProducerRecord<>(topic, key, req);
            rec.headers().add("pw.event_id",
                    req.get("event_id").toString().getBytes(StandardCharsets.UTF_8));
            producer.send(rec).get();
        }
    }

    /* Reads both output topics from the start (a group of its own, so nothing is missed
     * however fast the daemon answers) until the report and its whole audio are in. */
    static boolean await(String bootstrap, Map<String, Object> serde, String prefix,
                         String eventId, Path out, long deadline) throws Exception {
        Properties p = new Properties();
        p.putAll(serde);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "pipewright-example-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                AvroKafkaDeserializer.class.getName());
        String reports = prefix + ".reports";
        GenericRecord report = null;
        TreeMap<Integer, byte[]> chunks = new TreeMap<>();
        GenericRecord first = null;
        try (KafkaConsumer<String, GenericRecord> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(reports, prefix + ".audio"));
            while (System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, GenericRecord> m : records) {
                    if (!eventId.equals(header(m, "pw.event_id"))) {
                        continue;
                    }
                    if (m.topic().equals(reports)) {
                        report = m.value();
                        System.out.println(report.get("executive_summary"));
                    } else {
                        first = first == null ? m.value() : first;
                        ByteBuffer data = (ByteBuffer) m.value().get("data");
                        byte[] bytes = new byte[data.remaining()];
                        data.get(bytes);
                        chunks.put((Integer) m.value().get("chunk_index"), bytes);
                    }
                }
                if (report != null && !audioExpected(report)) {
                    System.err.println("audio " + report.get("audio_status") + ": none to save");
                    return true;
                }
                if (first != null && chunks.size() == (Integer) first.get("chunk_count")) {
                    return report != null && save(chunks, first, out);
                }
            }
        }
        return false;
    }

    static boolean audioExpected(GenericRecord report) {
        String status = report.get("audio_status").toString();
        return status.equals("pending") || status.equals("ready");
    }

    static boolean save(TreeMap<Integer, byte[]> chunks, GenericRecord first, Path out)
            throws IOException, java.security.NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (var w = Files.newOutputStream(out)) {
            for (byte[] c : chunks.values()) {
                sha.update(c);
                w.write(c);
            }
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        if (!digest.equals(first.get("sha256").toString())) {
            System.err.println("audio SHA-256 " + digest + " differs from " + first.get("sha256"));
            return false;
        }
        System.err.printf("audio: %s, %d ms, %d bytes in %d chunk(s) -> %s%n", first.get("codec"),
                (Long) first.get("duration_ms"), Files.size(out), chunks.size(), out);
        return true;
    }

    static String header(ConsumerRecord<?, ?> m, String name) {
        Header h = m.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }
}
