# The fuzz targets, read by the libFuzzer project (fuzz/CMakeLists.txt, clang++) and by the
# main build's seed replay (fuzz/fuzz.cmake, any compiler). Adding a target:
#   1. fuzz/<name>.cpp defines LLVMFuzzerTestOneInput (see fuzz/json_body.cpp);
#   2. fuzz/corpus/<name>/ holds a few seed inputs (and fuzz/<name>.dict, optionally, a
#      libFuzzer dictionary);
#   3. one contactd_fuzz_target() line below: SOURCES are the files of src/ the target
#      needs (only the libFuzzer build compiles them; the replay links contactd_core),
#      LIBS what they link.
# Each target becomes the CTest tests fuzz/<name> (a short libFuzzer run) and
# fuzz/seeds/<name> (its seeds replayed, in every build).

contactd_fuzz_target(json_body
  SOURCES src/http/json_io.cpp src/http/api_versions.cpp src/util/strict_json.cpp
          src/util/strings.cpp
  LIBS PkgConfig::HTTPLIB)

contactd_fuzz_target(contact_points
  SOURCES src/domain/contact_points.cpp src/util/countries.cpp src/util/strings.cpp
          ${CONTACTD_FUZZ_GENERATED}/countries.cpp
  LIBS ${PHONENUMBER_LIB} PkgConfig::PHONENUMBER_DEPS)

contactd_fuzz_target(jwt
  SOURCES src/crypto/jwt.cpp src/crypto/encoding.cpp src/crypto/digest.cpp
          src/util/strict_json.cpp src/util/strings.cpp
  LIBS OpenSSL::Crypto)

contactd_fuzz_target(request_framing
  SOURCES src/http/request_framing.cpp src/http/request_stream.cpp src/util/strings.cpp
  LIBS PkgConfig::HTTPLIB)
