#include "engine/input/csv_reader.h"

#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "engine/input/input_error.h"
#include "engine/input/utf8.h"

namespace yl {
namespace {

constexpr std::size_t kBlock = std::size_t{1} << 20;

}  // namespace

CsvReader::CsvReader(std::istream& in, std::string file_name)
    : in_(in), file_name_(std::move(file_name)) {}

void CsvReader::fail(std::uint64_t line, const std::string& reason) const {
  throw InputError(file_name_, line, "csv", reason);
}

void CsvReader::fill() {
  if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == capacity_) {  // a record longer than the buffer: grow it
    const std::size_t grown = capacity_ == 0 ? kBlock : 2 * capacity_;
    auto bigger = std::make_unique_for_overwrite<char[]>(grown);
    if (end_ > 0) std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ = grown;
  }
  const std::streamsize read =
      in_.rdbuf()->sgetn(buffer_.get() + end_, static_cast<std::streamsize>(capacity_ - end_));
  if (read <= 0) {
    eof_ = true;
  } else {
    end_ += static_cast<std::size_t>(read);
  }
}

void CsvReader::skip_byte_order_mark() {
  while (end_ - begin_ < 3 && !eof_) fill();
  const auto byte = [&](std::size_t i) {
    return begin_ + i < end_ ? static_cast<unsigned char>(buffer_[begin_ + i]) : 0u;
  };
  // A UTF-8 byte-order mark is skipped, nothing else.
  if (end_ == begin_ || byte(0) != 0xEF) return;
  if (byte(1) != 0xBB || byte(2) != 0xBF) {
    fail(line_, "the file starts with an invalid byte-order mark");
  }
  begin_ += 3;
}

CsvReader::Scan CsvReader::scan(CsvFields& record) {
  const char* const buf = buffer_.get();
  std::size_t p = begin_;
  // Skip empty lines (LF or CRLF alone); a lone CR starts a record with a CR in its first field.
  for (;;) {
    if (p == end_) return eof_ ? Scan::end : Scan::need_more;
    if (buf[p] == '\n') {
      begin_ = ++p;
      ++line_;
      continue;
    }
    if (buf[p] == '\r') {
      if (p + 1 == end_ && !eof_) return Scan::need_more;
      if (p + 1 < end_ && buf[p + 1] == '\n') {
        begin_ = p += 2;
        ++line_;
        continue;
      }
    }
    break;
  }
  std::uint64_t line = line_;
  spans_.clear();
  surplus_fields_ = 0;
  unescaped_.clear();
  for (;;) {  // one field per turn; returns at the record's end
    if (p < end_ && buf[p] == '"') {
      ++p;
      const std::size_t start = unescaped_.size();
      for (;;) {
        if (p == end_) {
          if (!eof_) return Scan::need_more;
          fail(line_, "a quoted field is not closed before the end of the file");
        }
        const char c = buf[p++];
        if (c == '"') {
          if (p == end_ && !eof_) return Scan::need_more;
          if (p == end_ || buf[p] != '"') break;  // the closing quote
          ++p;                                    // "" is one quote
        } else if (c == '\n') {
          ++line;
        }
        unescaped_.push_back(c);
      }
      add_span({true, start, unescaped_.size() - start});
      if (p == end_) {
        if (!eof_) return Scan::need_more;
        break;
      }
      if (buf[p] == ',') {
        ++p;
        continue;
      }
      if (buf[p] == '\n') {
        ++p;
        ++line;
        break;
      }
      if (buf[p] == '\r') {
        if (p + 1 == end_ && !eof_) return Scan::need_more;
        if (p + 1 < end_ && buf[p + 1] == '\n') {
          p += 2;
          ++line;
          break;
        }
      }
      fail(line_, "a quoted field must be followed by a comma or the end of the line");
    }
    const std::size_t start = p;
    bool last = false;  // the field ends its record
    for (;;) {
      if (p == end_) {
        if (!eof_) return Scan::need_more;
        last = true;
        break;
      }
      const char c = buf[p];
      if (c == ',') break;
      if (c == '\n') {
        last = true;
        break;
      }
      if (c == '\r') {
        if (p + 1 == end_ && !eof_) return Scan::need_more;
        if (p + 1 < end_ && buf[p + 1] == '\n') {
          last = true;
          break;
        }
      } else if (c == '"') {  // not at the start: that opens a quoted field, above
        fail(line_, "a quote inside an unquoted field (quote the whole field and double it)");
      }
      ++p;
    }
    add_span({false, start, p - start});
    if (!last) {
      ++p;  // the comma
      continue;
    }
    if (p < end_) {  // LF or CRLF
      p += buf[p] == '\r' ? 2 : 1;
      ++line;
    }
    break;
  }
  if (surplus_fields_ > 0) {
    fail(line_,
         fmt::format("expected {} fields, found {}", max_fields_, max_fields_ + surplus_fields_));
  }
  record.line = line_;
  record.fields.resize(spans_.size());
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    const Span& s = spans_[i];
    record.fields[i] = std::string_view((s.unescaped ? unescaped_.data() : buf) + s.offset, s.size);
  }
  begin_ = p;
  line_ = line;
  return Scan::record;
}

void CsvReader::validate(const CsvFields& record) const {
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    const std::string_view field = record.fields[i];
    const std::size_t bad = invalid_text_at(field);
    if (bad == std::string_view::npos) continue;
    const auto byte = static_cast<unsigned>(static_cast<unsigned char>(field[bad]));
    // By the header's name where the file has one there ("field 3" alone: helper-70's F12).
    const std::string which = i < header_.size()
                                  ? fmt::format("column '{}' (field {})", header_[i], i + 1)
                                  : fmt::format("field {}", i + 1);
    throw InputError(file_name_, record.line, "csv",
                     byte == 0 ? fmt::format("{} contains a NUL byte", which)
                               : fmt::format("{} is not valid UTF-8 (byte 0x{:02X} at offset {})",
                                             which, byte, bad));
  }
}

bool CsvReader::next(CsvFields& record) {
  if (!started_) {
    started_ = true;
    skip_byte_order_mark();
  }
  for (;;) {
    switch (scan(record)) {
      case Scan::record:
        validate(record);
        if (!header_seen_) {  // the first record names the columns of the ones after it
          header_seen_ = true;
          for (const std::string_view name : record.fields) header_.push_back(bounded(name, 40));
        }
        return true;
      case Scan::end:
        record.fields.clear();
        return false;
      case Scan::need_more:
        fill();  // then scan the record again from its start, with more bytes
        break;
    }
  }
}

bool CsvReader::next(CsvRecord& record) {
  if (!next(views_)) {
    record.fields.clear();
    return false;
  }
  record.line = views_.line;
  record.fields.resize(views_.fields.size());
  for (std::size_t i = 0; i < views_.fields.size(); ++i) record.fields[i].assign(views_.fields[i]);
  return true;
}

}  // namespace yl
