# The build graph enforces that a service's domain/ stays pure: every library target defined
# under services/<name>/domain may link only the core (recovery_core, recovery_calendar,
# recovery_proto, protobuf, Abseil, yaml-cpp), never the store, Kafka, gRPC or the runtime.
# Configuring fails with the offending chain named.
set(RECOVERY_DOMAIN_FORBIDDEN
  recovery_store recovery_kafka recovery_grpc recovery_telemetry recovery_common
  gRPC::grpc++ gRPC::grpc gRPC::grpc++_reflection PkgConfig::RDKAFKA PkgConfig::SQLITE3 PkgConfig::LIBPQ
  spdlog::spdlog prometheus-cpp::core prometheus-cpp::pull CURL::libcurl)

# Domains still moving to the shape (issue 14): a violation is a warning, not an error.
set(RECOVERY_DOMAIN_PURITY_PENDING)

# Appends to OUT every target `target` links, transitively, as "a -> b" chains.
function(_recovery_link_closure target chain out_var)
  set(result ${${out_var}})
  foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
    get_target_property(libs ${target} ${prop})
    if(NOT libs)
      continue()
    endif()
    foreach(lib ${libs})
      if(lib MATCHES "^\\$<" OR lib IN_LIST _recovery_seen)
        continue()
      endif()
      list(APPEND _recovery_seen ${lib})
      set(_recovery_seen ${_recovery_seen} PARENT_SCOPE)
      list(APPEND result "${chain} -> ${lib}")
      if(TARGET ${lib})
        _recovery_link_closure(${lib} "${chain} -> ${lib}" result)
      endif()
    endforeach()
  endforeach()
  set(${out_var} ${result} PARENT_SCOPE)
endfunction()

function(recovery_check_domain_purity)
  file(GLOB _domains LIST_DIRECTORIES true ${CMAKE_SOURCE_DIR}/services/*/domain)
  set(checked 0)
  foreach(dir ${_domains})
    if(NOT EXISTS ${dir}/CMakeLists.txt)
      message(WARNING "${dir}: a service's domain/ should be its own library (add a CMakeLists.txt)")
      continue()
    endif()
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(t ${targets})
      set(_recovery_seen "")
      set(chains "")
      _recovery_link_closure(${t} ${t} chains)
      foreach(c ${chains})
        string(REGEX REPLACE ".* -> " "" last "${c}")
        if(last IN_LIST RECOVERY_DOMAIN_FORBIDDEN)
          if(t IN_LIST RECOVERY_DOMAIN_PURITY_PENDING)
            message(WARNING "domain library ${t} links ${last} (still to fix): ${c}")
            break()
          endif()
          message(FATAL_ERROR "domain library ${t} must not link ${last}: ${c}")
        endif()
      endforeach()
      math(EXPR checked "${checked} + 1")
    endforeach()
  endforeach()
  message(STATUS "domain purity: ${checked} domain libraries checked")
endfunction()
