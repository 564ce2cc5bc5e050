#include "test_util.h"

#include <bzlib.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace logsweep::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base ? base : "/tmp") + "/logsweep-test-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name,
                           const std::string& content) const {
  std::string full = path_ + "/" + name;
  std::ofstream out(full, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) ADD_FAILURE() << "cannot write " << full;
  return full;
}

common::StatusOr<size_t> StringSource::Read(char* out, size_t capacity) {
  size_t n = std::min({capacity, data_.size() - pos_, chunk_});
  std::memcpy(out, data_.data() + pos_, n);
  pos_ += n;
  return n;
}

ReadResult ReadStream(common::ByteStream& stream, size_t chunk) {
  ReadResult result;
  std::vector<char> buf(chunk);
  for (;;) {
    common::StatusOr<size_t> n = stream.Read(buf.data(), buf.size());
    if (!n.ok()) {
      result.status = n.status();
      break;
    }
    if (*n == 0) break;
    result.text.append(buf.data(), *n);
  }
  result.warnings = stream.warnings();
  return result;
}

std::string Gzip(const std::string& text) {
  z_stream zs{};
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    std::abort();
  }
  std::string out(deflateBound(&zs, text.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Zstd(const std::string& text) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(text.size()), '\0');
  size_t n =
      ZSTD_compress2(cctx, out.data(), out.size(), text.data(), text.size());
  ZSTD_freeCCtx(cctx);
  if (ZSTD_isError(n)) std::abort();
  out.resize(n);
  return out;
}

std::string Xz(const std::string& text) {
  std::string out(lzma_stream_buffer_bound(text.size()), '\0');
  size_t pos = 0;
  if (lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, nullptr,
                              reinterpret_cast<const uint8_t*>(text.data()),
                              text.size(),
                              reinterpret_cast<uint8_t*>(out.data()), &pos,
                              out.size()) != LZMA_OK) {
    std::abort();
  }
  out.resize(pos);
  return out;
}

std::string Bzip2(const std::string& text) {
  unsigned int size = static_cast<unsigned int>(text.size() * 1.01 + 600);
  std::string out(size, '\0');
  if (BZ2_bzBuffToBuffCompress(
          out.data(), &size, const_cast<char*>(text.data()),
          static_cast<unsigned int>(text.size()), 1, 0, 0) != BZ_OK) {
    std::abort();
  }
  out.resize(size);
  return out;
}

}  // namespace logsweep::testing
