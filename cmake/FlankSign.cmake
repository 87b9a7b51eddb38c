# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Signed images (docs/signing.md). `make image` also writes signed copies of
# vmm.elf and the modules to build/signed/, and `make driver` compiles the
# signing certificate into flank.ko (Kbuild FLANK_CERTS), so that the
# build tree's flank.ko trusts the build tree's images:
#  - FLANK_SIGN_KEY / FLANK_SIGN_CERT: the key to sign with (PEM, or a
#    PKCS#11 URI sign-file takes) and its X.509 certificate, e.g. the DKMS
#    machine owner key /var/lib/dkms/mok.key and mok.pub;
#  - neither: a throw-away test key generated in build/signing/ at the
#    first build (scripts/sign-image.sh --test-key). It never leaves the
#    build directory; a flank.ko built with it trusts it, which is what
#    the whole-system tests need and nothing else should.
set(FLANK_SIGN_KEY "" CACHE STRING
  "Private key that signs vmm.elf and modules (empty: a test key in the build dir)")
set(FLANK_SIGN_CERT "" CACHE FILEPATH
  "X.509 certificate of FLANK_SIGN_KEY, compiled into flank.ko")
set(FLANK_SIGNED_DIR ${CMAKE_BINARY_DIR}/signed)
find_program(FLANK_OPENSSL openssl)

if(FLANK_SIGN_KEY AND FLANK_SIGN_CERT)
  set(FLANK_SIGNING_KEY ${FLANK_SIGN_KEY})
  set(FLANK_SIGNING_CERT ${FLANK_SIGN_CERT})
  add_custom_target(signing_key)
elseif(FLANK_SIGN_KEY OR FLANK_SIGN_CERT)
  message(FATAL_ERROR "FLANK_SIGN_KEY and FLANK_SIGN_CERT go together: give both or neither")
elseif(FLANK_OPENSSL)
  set(FLANK_SIGNING_KEY ${CMAKE_BINARY_DIR}/signing/test-key.pem)
  set(FLANK_SIGNING_CERT ${CMAKE_BINARY_DIR}/signing/test-cert.pem)
  add_custom_command(OUTPUT ${FLANK_SIGNING_KEY} ${FLANK_SIGNING_CERT}
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/sign-image.sh --test-key
      ${CMAKE_BINARY_DIR}/signing
    COMMENT "Generating the build tree's test signing key (build/signing)"
    VERBATIM)
  add_custom_target(signing_key
    DEPENDS ${FLANK_SIGNING_KEY} ${FLANK_SIGNING_CERT})
else()
  message(STATUS "flank: no openssl: images are not signed, flank.ko trusts no built-in key")
  set(FLANK_SIGNING_KEY "")
  set(FLANK_SIGNING_CERT "")
  add_custom_target(signing_key)
endif()
set(FLANK_SIGNING_CERT "${FLANK_SIGNING_CERT}" CACHE INTERNAL "")

if(FLANK_SIGNING_KEY)
  set(sign ${CMAKE_SOURCE_DIR}/scripts/sign-image.sh ${FLANK_SIGNING_KEY}
    ${FLANK_SIGNING_CERT})
  add_custom_target(image_signed
    COMMAND ${CMAKE_COMMAND} -E make_directory ${FLANK_SIGNED_DIR}
    COMMAND ${sign} ${FLANK_VMM_ELF} ${FLANK_SIGNED_DIR}/vmm.elf
    COMMAND ${sign} ${FLANK_VMCS_CHECK_MODULE} ${FLANK_SIGNED_DIR}/vmcs_check.elf
    COMMAND ${sign} ${FLANK_EXAMPLE_MODULE} ${FLANK_SIGNED_DIR}/example.elf
    COMMAND ${sign} ${FLANK_TEXTGUARD_MODULE} ${FLANK_SIGNED_DIR}/textguard.elf
    COMMAND ${CMAKE_COMMAND} -E echo "signed copies: ${FLANK_SIGNED_DIR}"
    DEPENDS flank_image signing_key
    VERBATIM)
  add_dependencies(image image_signed)
endif()
