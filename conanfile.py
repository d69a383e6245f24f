# Conan 2 recipe: `conan create .` packages what `cmake --install` installs (the install the
# package_consumer test checks). Header-only; the options choose the components, as the vcpkg port's
# features do. Not run here (no Conan and no ConanCenter access on this machine): see README.
import os
import re

from conan import ConanFile
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import load, rmdir
from conan.tools.gnu import PkgConfigDeps


class SyncormConan(ConanFile):
    name = "syncorm"
    description = "Header-only C++20 ORM with sync events"
    topics = ("orm", "sqlite", "postgresql", "header-only")
    package_type = "header-library"
    # CMake and the libraries' headers are needed to install and describe it, not to build anything.
    settings = "os", "compiler", "build_type", "arch"
    options = {"sqlite": [True, False], "postgres": [True, False], "amqp": [True, False], "redis": [True, False]}
    default_options = {"sqlite": True, "postgres": False, "amqp": False, "redis": False}
    exports_sources = "CMakeLists.txt", "cmake/*", "include/*"
    no_copy_source = True

    def set_version(self):
        # One version: CMakeLists.txt's project(VERSION); tests/check_version.py checks this reads it.
        content = load(self, os.path.join(self.recipe_folder, "CMakeLists.txt"))
        self.version = re.search(r"project\(syncorm VERSION ([0-9]+\.[0-9]+\.[0-9]+)", content).group(1)

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        self.requires("boost/[>=1.75 <2]")  # Boost.PFR (headers) and Boost.JSON (sync payloads)
        if self.options.sqlite:
            self.requires("sqlite3/[>=3.37 <4]")
        if self.options.postgres:
            self.requires("libpq/[>=14 <18]")
        if self.options.amqp:
            self.requires("rabbitmq-c/[>=0.11 <1]")
        if self.options.redis:
            self.requires("hiredis/[>=1.0 <2]")

    def package_id(self):
        self.info.clear()

    def generate(self):
        tc = CMakeToolchain(self)
        for option in ("sqlite", "postgres", "amqp", "redis"):
            tc.cache_variables[f"SYNCORM_WITH_{option.upper()}"] = "ON" if self.options.get_safe(option) else "OFF"
        tc.cache_variables["SYNCORM_BUILD_TESTS"] = "OFF"
        tc.cache_variables["SYNCORM_BUILD_EXAMPLES"] = "OFF"
        tc.cache_variables["SYNCORM_BUILD_BENCHMARKS"] = "OFF"
        tc.generate()
        CMakeDeps(self).generate()
        PkgConfigDeps(self).generate()  # the amqp (librabbitmq) and redis components are found by pkg-config

    def build(self):
        cmake = CMake(self)
        cmake.configure()

    def package(self):
        cmake = CMake(self)
        cmake.install()
        # Consumers get the targets from CMakeDeps, generated from package_info below.
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))

    def package_info(self):
        # The same file and target names as syncorm's own package config: find_package(syncorm) and
        # syncorm::syncorm, syncorm::sqlite, syncorm::postgres, syncorm::amqp, syncorm::redis.
        self.cpp_info.set_property("cmake_file_name", "syncorm")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []

        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "syncorm::syncorm")
        core.requires = ["boost::headers", "boost::json"]
        core.bindirs = []
        core.libdirs = []

        backends = {"sqlite": "sqlite3::sqlite3", "postgres": "libpq::libpq", "amqp": "rabbitmq-c::rabbitmq-c",
                    "redis": "hiredis::hiredis"}
        for option, requirement in backends.items():
            if self.options.get_safe(option):
                component = self.cpp_info.components[option]
                component.set_property("cmake_target_name", f"syncorm::{option}")
                component.requires = ["core", requirement]
                component.bindirs = []
                component.libdirs = []
