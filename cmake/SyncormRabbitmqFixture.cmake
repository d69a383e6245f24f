# SyncormRabbitmqFixture.cmake -- a throwaway RabbitMQ broker as a CTest fixture.
#
#   include(SyncormRabbitmqFixture)
#
#   syncorm_add_rabbitmq_fixture(<fixture_name> STATE_DIR <dir> [TIMEOUT <seconds>])
#
#     Adds the tests <fixture_name>_start (FIXTURES_SETUP <fixture_name>) and <fixture_name>_stop
#     (FIXTURES_CLEANUP <fixture_name>), which run rabbitmq_test_server.sh start/stop on <dir>
#     (relative to CMAKE_CURRENT_BINARY_DIR). The broker starts once per test run, in 6-13 s.
#
#   syncorm_use_rabbitmq_fixture(<fixture_name> TESTS <test>... [SERIAL])
#
#     Makes the tests require the fixture and sets in their environment
#       SYNCORM_RABBITMQ_STATE_DIR=<dir>          ($SYNCORM_RABBITMQ_STATE_DIR/url is the broker's URL)
#       SYNCORM_RABBITMQ_SERVER_SCRIPT=<script>   (e.g. "<script> kill <dir>", "<script> restart <dir>")
#     SERIAL adds RESOURCE_LOCK <fixture_name>: use it for tests that kill or restart the broker
#     (or give them a fixture of their own).

include_guard(GLOBAL)

set(SYNCORM_RABBITMQ_SERVER_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/rabbitmq_test_server.sh"
    CACHE INTERNAL "syncorm RabbitMQ test server script")
find_program(SYNCORM_BASH_EXECUTABLE NAMES bash DOC "bash, used to run the test server scripts")

function(syncorm_add_rabbitmq_fixture fixture_name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "STATE_DIR;TIMEOUT" "")
  if(arg_UNPARSED_ARGUMENTS OR NOT arg_STATE_DIR)
    message(FATAL_ERROR "usage: syncorm_add_rabbitmq_fixture(<name> STATE_DIR <dir> [TIMEOUT <seconds>])")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 180)
  endif()
  get_filename_component(state_dir "${arg_STATE_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  add_test(NAME "${fixture_name}_start"
           COMMAND "${SYNCORM_BASH_EXECUTABLE}" "${SYNCORM_RABBITMQ_SERVER_SCRIPT}" start "${state_dir}")
  set_tests_properties("${fixture_name}_start" PROPERTIES
    FIXTURES_SETUP "${fixture_name}" TIMEOUT "${arg_TIMEOUT}" LABELS "rabbitmq_fixture")
  add_test(NAME "${fixture_name}_stop"
           COMMAND "${SYNCORM_BASH_EXECUTABLE}" "${SYNCORM_RABBITMQ_SERVER_SCRIPT}" stop "${state_dir}")
  set_tests_properties("${fixture_name}_stop" PROPERTIES
    FIXTURES_CLEANUP "${fixture_name}" TIMEOUT 120 LABELS "rabbitmq_fixture")
  set_property(GLOBAL PROPERTY "SYNCORM_RABBITMQ_FIXTURE_${fixture_name}_STATE_DIR" "${state_dir}")
endfunction()

function(syncorm_use_rabbitmq_fixture fixture_name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "SERIAL" "" "TESTS")
  get_property(state_dir GLOBAL PROPERTY "SYNCORM_RABBITMQ_FIXTURE_${fixture_name}_STATE_DIR")
  if(arg_UNPARSED_ARGUMENTS OR NOT state_dir)
    message(FATAL_ERROR "syncorm_use_rabbitmq_fixture: unknown fixture '${fixture_name}' or bad arguments")
  endif()
  string(REPLACE ";" "\\;" state_dir_env "${state_dir}")
  string(REPLACE ";" "\\;" script_env "${SYNCORM_RABBITMQ_SERVER_SCRIPT}")
  foreach(test IN LISTS arg_TESTS)
    set_property(TEST "${test}" APPEND PROPERTY FIXTURES_REQUIRED "${fixture_name}")
    set_property(TEST "${test}" APPEND PROPERTY ENVIRONMENT
                 "SYNCORM_RABBITMQ_STATE_DIR=${state_dir_env}" "SYNCORM_RABBITMQ_SERVER_SCRIPT=${script_env}")
    if(arg_SERIAL)
      set_property(TEST "${test}" APPEND PROPERTY RESOURCE_LOCK "${fixture_name}")
    endif()
  endforeach()
endfunction()
