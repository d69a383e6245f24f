# cmake -DBUILD_DIR=<syncorm build> -DSOURCE_DIR=<syncorm source> -DWORK_DIR=<scratch> -DCXX_COMPILER=<c++>
#       -DGENERATOR=<generator> -DCOMPONENT_SETS=<sqlite|sqlite,postgres|...> -P check_package.cmake
#
# The package test: `cmake --install`s the build into a fresh prefix under WORK_DIR, checks every
# header under include/ was installed (and nothing else), then for each set of components
# configures, builds and runs tests/package_consumer against that prefix. With postgres in a set the
# consumer gets the CTest server's connection string ($SYNCORM_PG_STATE_DIR/primary.conninfo).
# Nothing is downloaded.

cmake_minimum_required(VERSION 3.20)

foreach(var BUILD_DIR SOURCE_DIR WORK_DIR CXX_COMPILER GENERATOR COMPONENT_SETS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_package.cmake: -D${var}=... is required")
  endif()
endforeach()

# Runs a command, echoing it; stops the test with its output if it fails.
function(run step)
  message(STATUS "${step}: ${ARGN}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${step} failed (${result}):\n${output}")
  endif()
  set(last_output "${output}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
run(install "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")

# Every header, and only the headers, under <prefix>/include.
file(GLOB_RECURSE source_headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/*")
file(GLOB_RECURSE installed_headers RELATIVE "${prefix}/include" "${prefix}/include/*")
list(SORT source_headers)
list(SORT installed_headers)
if(NOT source_headers STREQUAL installed_headers)
  set(missing ${source_headers})
  list(REMOVE_ITEM missing ${installed_headers})
  set(extra ${installed_headers})
  list(REMOVE_ITEM extra ${source_headers})
  message(FATAL_ERROR "installed headers differ from include/: missing [${missing}], extra [${extra}]")
endif()
list(LENGTH installed_headers header_count)
message(STATUS "headers: all ${header_count} installed")

string(REPLACE "|" ";" component_sets "${COMPONENT_SETS}")  # '|': a ';' does not survive add_test
foreach(set IN LISTS component_sets)
  string(REPLACE "," "_" name "${set}")
  set(build "${WORK_DIR}/consumer_${name}")
  run("configure consumer (${set})" "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/package_consumer" -B "${build}"
      -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_PREFIX_PATH=${prefix}"
      "-DCONSUMER_PREFIX=${prefix}" "-DCONSUMER_COMPONENTS=${set}"
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
  run("build consumer (${set})" "${CMAKE_COMMAND}" --build "${build}")
  set(arguments "")
  if(set MATCHES "(^|,)postgres(,|$)")
    if(NOT DEFINED ENV{SYNCORM_PG_STATE_DIR})
      message(FATAL_ERROR "SYNCORM_PG_STATE_DIR is not set: run through ctest, which starts PostgreSQL")
    endif()
    file(STRINGS "$ENV{SYNCORM_PG_STATE_DIR}/primary.conninfo" conninfo LIMIT_COUNT 1)
    set(arguments "${conninfo}")
  endif()
  # consumer is header-only use; consumer_separate the same program with SYNCORM_SEPARATE_COMPILATION
  # and <syncorm/src.hpp> in a file of its own.
  foreach(program IN ITEMS consumer consumer_separate)
    run("run ${program} (${set})" "${build}/${program}" ${arguments})
    message(STATUS "${program} (${set}) says:\n${last_output}")
    foreach(component IN ITEMS sqlite postgres redis)  # what the consumer prints for each component it used
      if(set MATCHES "(^|,)${component}(,|$)" AND NOT last_output MATCHES "${component}: ok")
        message(FATAL_ERROR "${program} did not use ${component}")
      endif()
    endforeach()
  endforeach()
endforeach()
message(STATUS "package: ok")
