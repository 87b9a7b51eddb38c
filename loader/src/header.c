// SPDX-License-Identifier: LGPL-2.1-or-later
/* Stage 1 of the validation pipeline: the ELF header. */
#include "elf_internal.h"

/*
 * Checks:
 *  - the file holds a whole ELF64 header (64 bytes);
 *  - magic "\x7fELF", ELFCLASS64, ELFDATA2LSB, EV_CURRENT in both places;
 *  - OS ABI System V or GNU, ABI version 0;
 *  - ET_DYN (position independent), EM_X86_64, e_flags 0;
 *  - e_ehsize and e_phentsize are the ELF64 sizes;
 *  - 1 <= e_phnum <= ELF_MAX_PHDRS (so PN_XNUM is refused);
 *  - the program header table is 8-byte aligned and inside the file.
 */
enum elf_status elf_check_header(struct elf_parse_ctx *c)
{
	const struct elf_module *m = c->m;
	struct elf64_ehdr *eh = &c->eh;
	const uint8_t *p = elf_file_at(m, 0, sizeof(*eh));
	const uint8_t *id = eh->e_ident;
	uint64_t table;

	if (!p)
		return ELF_ERR_HDR_SIZE;
	elf_memcpy(eh, p, sizeof(*eh));
	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return ELF_ERR_HDR_MAGIC;
	if (id[EI_CLASS] != ELFCLASS64)
		return ELF_ERR_HDR_CLASS;
	if (id[EI_DATA] != ELFDATA2LSB)
		return ELF_ERR_HDR_DATA;
	if (id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return ELF_ERR_HDR_VERSION;
	if ((id[EI_OSABI] != ELFOSABI_SYSV && id[EI_OSABI] != ELFOSABI_GNU) ||
	    id[EI_ABIVERSION] != 0)
		return ELF_ERR_HDR_OSABI;
	if (eh->e_type != ET_DYN)
		return ELF_ERR_HDR_TYPE;
	if (eh->e_machine != EM_X86_64)
		return ELF_ERR_HDR_MACHINE;
	if (eh->e_flags != 0)
		return ELF_ERR_HDR_FLAGS;
	if (eh->e_ehsize != sizeof(struct elf64_ehdr))
		return ELF_ERR_HDR_EHSIZE;
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return ELF_ERR_HDR_PHENTSIZE;
	if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHDRS)
		return ELF_ERR_HDR_PHNUM;
	if (eh->e_phoff % 8 != 0)
		return ELF_ERR_HDR_PHDR_ALIGN;
	table = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	if (!elf_file_at(m, eh->e_phoff, table))
		return ELF_ERR_HDR_PHDR_RANGE;
	return ELF_OK;
}
