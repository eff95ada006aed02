#include "sensor/export/EventSink.hpp"

#include <google/protobuf/io/coded_stream.h>

#include <charconv>

#include "sensor/export/EventFile.hpp"
#include "sensor/transport/EventSpool.hpp"
#include "sensor/transport/SensorTransport.hpp"

namespace gsoc::sensor {

EventSink::EventSink(std::string sensor_id, std::uint64_t epoch, std::uint64_t next_sequence, EventFileWriter* file,
                     SensorTransport* transport)
    : sensor_id_(std::move(sensor_id)), epoch_(epoch), next_(next_sequence), file_(file), transport_(transport) {
  if (transport_ != nullptr) {
    epoch_ = transport_->spool().epoch();
    next_ = transport_->spool().nextSequence();
  }
}

void EventSink::write(std::string_view body) {
  using google::protobuf::io::CodedOutputStream;
  std::lock_guard lock(mutex_);
  // The id: "<sensor>:<epoch>:<sequence>"; a uint64 has at most 20 digits.
  char epoch[20];
  char sequence[20];
  const std::string_view epoch_text(epoch, static_cast<std::size_t>(std::to_chars(epoch, epoch + sizeof epoch, epoch_).ptr - epoch));
  const std::string_view sequence_text(sequence,
                                       static_cast<std::size_t>(std::to_chars(sequence, sequence + sizeof sequence, next_).ptr - sequence));
  const std::size_t id_size = sensor_id_.size() + 2 + epoch_text.size() + sequence_text.size();
  std::uint8_t header[1 + 5];  // a tag and a varint32
  header[0] = 0x0a;  // field 1 (event_id), length-delimited
  const std::uint8_t* header_end = CodedOutputStream::WriteVarint32ToArray(static_cast<std::uint32_t>(id_size), header + 1);
  record_.assign(reinterpret_cast<const char*>(header), static_cast<std::size_t>(header_end - header));
  record_.append(sensor_id_).append(1, ':').append(epoch_text).append(1, ':').append(sequence_text);
  record_.append(body);
  if (file_ != nullptr) file_->write(std::string_view(record_));
  if (transport_ != nullptr && !transport_->append(record_)) {
    // Refused (the spool closed at shutdown; counted by the spool): follow its numbering.
    next_ = transport_->spool().nextSequence();
    return;
  }
  ++next_;
}

std::uint64_t EventSink::nextSequence() const {
  std::lock_guard lock(mutex_);
  return next_;
}

}  // namespace gsoc::sensor
