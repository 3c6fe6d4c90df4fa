"""Memory handed back to the operating system: after heavy jobs, and by how glibc keeps big blocks."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the operating system (glibc only).

    glibc keeps freed memory in its arenas for reuse, so a server's RSS stays near its peak after a
    training run although Python has freed the copy; ``malloc_trim`` returns it.
    """
    gc.collect()
    libc = ctypes.util.find_library("c")
    if libc:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(libc).malloc_trim(0)


M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's mallopt parameters (malloc.h)

BIG_BLOCK = 1 << 20  # bytes: blocks at least this big are mapped on their own and unmapped when freed

ARENAS = 2  # heaps shared by all threads (glibc's default: up to 8 per core, one per busy thread)


def return_big_blocks_to_the_os() -> bool:
    """Make every block of 1 MB or more its own memory mapping, handed back the moment it is freed.

    By default glibc raises that threshold after large frees, so tensors of a training run land in
    the heap of the thread that ran it; the next run, in another session's thread, cannot reuse
    them. Measured with six training runs one after another from six threads: RSS 3.6 GB after
    (peak 4.0 GB) by default, 1.2 GB after (peak 2.1 GB) with the threshold fixed. Small blocks
    go to two shared heaps rather than one per busy session thread, which would each keep the
    memory its thread freed. Returns False where there is no glibc.
    """
    libc = ctypes.util.find_library("c")
    if not libc:
        return False
    try:
        mallopt = ctypes.CDLL(libc).mallopt
        return bool(mallopt(M_MMAP_THRESHOLD, BIG_BLOCK)) and bool(mallopt(M_ARENA_MAX, ARENAS))
    except (OSError, AttributeError):
        return False
