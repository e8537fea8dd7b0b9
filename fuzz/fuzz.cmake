# Fuzzing in the main build (included by the top-level CMakeLists.txt).
#
# Every build, whatever its compiler and sanitizers (`make asan` included), replays each
# target's committed seeds: fuzz/<name>.cpp linked with fuzz/replay_main.cpp and
# contactd_core, as the CTest test fuzz/seeds/<name>.
#
# With CONTACTD_FUZZ (default ON) and a clang++ that links -fsanitize=fuzzer, the
# libFuzzer builds of the same targets (fuzz/CMakeLists.txt) are built with the rest, and
# fuzz/<name> runs each for CONTACTD_FUZZ_SECONDS (10) from its seeds; `make fuzz` runs
# them longer (FUZZ_SECONDS, 60).
option(CONTACTD_FUZZ "Build the libFuzzer targets of fuzz/ with clang++ when it has libFuzzer" ON)

# Probed until found (so installing clang later and re-configuring is enough).
if(CONTACTD_FUZZ AND NOT CONTACTD_LIBFUZZER_CXX)
  find_program(CONTACTD_CLANGXX NAMES clang++ clang++-14)
  set(works FALSE)
  if(CONTACTD_CLANGXX)
    set(probe ${CMAKE_BINARY_DIR}/CMakeFiles/libfuzzer_probe.cpp)
    file(WRITE ${probe} "#include <cstddef>\n#include <cstdint>\nextern \"C\" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }\n")
    execute_process(COMMAND ${CONTACTD_CLANGXX} -fsanitize=fuzzer,address,undefined ${probe}
                            -o ${CMAKE_BINARY_DIR}/CMakeFiles/libfuzzer_probe
                    RESULT_VARIABLE probe_result OUTPUT_QUIET ERROR_QUIET)
    if(probe_result EQUAL 0)
      set(works TRUE)
    endif()
  endif()
  if(works)
    set(CONTACTD_LIBFUZZER_CXX ${CONTACTD_CLANGXX} CACHE FILEPATH "clang++ that links libFuzzer" FORCE)
  endif()
endif()
if(CONTACTD_FUZZ AND CONTACTD_LIBFUZZER_CXX)
  include(ExternalProject)
  set(CONTACTD_FUZZ_BIN ${CMAKE_BINARY_DIR}/fuzz)
  set(launcher "")
  if(CMAKE_CXX_COMPILER_LAUNCHER)
    set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER})
  endif()
  ExternalProject_Add(contactd_libfuzzer
    SOURCE_DIR ${CMAKE_SOURCE_DIR}/fuzz
    BINARY_DIR ${CONTACTD_FUZZ_BIN}
    CMAKE_ARGS -DCMAKE_CXX_COMPILER=${CONTACTD_LIBFUZZER_CXX} -DCMAKE_BUILD_TYPE=RelWithDebInfo ${launcher}
    BUILD_ALWAYS ON  # its sources are this tree's: let its own make decide what is stale
    INSTALL_COMMAND ""
    USES_TERMINAL_BUILD ON)
  set(CONTACTD_RUN_LIBFUZZER ON)
elseif(CONTACTD_FUZZ)
  message(STATUS "libFuzzer targets skipped: needs clang++ with libFuzzer "
                 "(Debian: clang libclang-rt-dev; `make deps` installs them)")
endif()

function(contactd_fuzz_target name)
  add_executable(fuzz_replay_${name} ${CMAKE_SOURCE_DIR}/fuzz/${name}.cpp
                                     ${CMAKE_SOURCE_DIR}/fuzz/replay_main.cpp)
  target_link_libraries(fuzz_replay_${name} PRIVATE contactd_core)
  add_test(NAME fuzz/seeds/${name}
           COMMAND fuzz_replay_${name} ${CMAKE_SOURCE_DIR}/fuzz/corpus/${name})
  set_tests_properties(fuzz/seeds/${name} PROPERTIES LABELS fuzz)
  if(CONTACTD_RUN_LIBFUZZER)
    add_test(NAME fuzz/${name}
             COMMAND sh ${CMAKE_SOURCE_DIR}/fuzz/run.sh ${CONTACTD_FUZZ_BIN}/fuzz_${name} ${name}
                     ${CMAKE_SOURCE_DIR}/fuzz ${CONTACTD_FUZZ_BIN}/work/${name})
    set_tests_properties(fuzz/${name} PROPERTIES LABELS "fuzz;libfuzzer")
  endif()
endfunction()

include(${CMAKE_SOURCE_DIR}/fuzz/targets.cmake)
