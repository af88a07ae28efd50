"""The stub's side of the shared memory between it and the server
(src/backends/python/shared_arena.h has the layout and the reasoning).

Two regions, each a memfd the server created and passed down: the server
writes into one (tensors for this process), this process into the other.
A block the server wrote is read in place: the numpy arrays over it keep it
alive, and it is marked released when the last of them is gone. A block
this process writes is released by the server; the writer takes released
blocks back, oldest first, when it next allocates.
"""

import mmap
import os
import struct
import threading
import weakref

import numpy as np

BLOCK_HEADER = 64
BLOCK_ALIGNMENT = 64
IN_USE, RELEASED = 1, 2
STATE = struct.Struct("<I")
SIZE = struct.Struct("<Q")
DESCRIPTOR = struct.Struct("<QQ")  # block offset, payload length: what a frame carries instead of its payload
# From this size on a payload goes through shared memory (the server's kSharedPayloadMin).
SHARED_PAYLOAD_MIN = 64 * 1024


def map_region(fd, size):
    return mmap.mmap(fd, size, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ | mmap.PROT_WRITE)


class ArenaWriter:
    """Blocks in the region this process writes; any thread."""

    def __init__(self, region):
        self.region = region
        self.capacity = len(region)
        self.lock = threading.Lock()
        self.head = 0  # where the next block goes
        self.tail = 0  # the oldest block not yet taken back
        self.sizes = []  # sizes of the blocks from tail on (the server may scribble on the region)
        self.first = 0  # index in sizes of the block at tail

    def _place(self, offset, size, state):
        SIZE.pack_into(self.region, offset + 8, size)
        STATE.pack_into(self.region, offset, state)
        self.head = 0 if offset + size == self.capacity else offset + size
        self.sizes.append(size)

    def _reclaim(self):
        sizes = self.sizes
        while self.first < len(sizes) and STATE.unpack_from(self.region, self.tail)[0] == RELEASED:
            self.tail += sizes[self.first]
            self.first += 1
            if self.tail == self.capacity:
                self.tail = 0
        if self.first == len(sizes):
            self.sizes, self.first = [], 0
            self.head = self.tail = 0  # empty: the same pages again
        elif self.first > 64:
            del sizes[:self.first]
            self.first = 0

    def allocate(self, payload_size):
        """A new block's offset, or None when it does not fit now."""
        size = (BLOCK_HEADER + payload_size + BLOCK_ALIGNMENT - 1) // BLOCK_ALIGNMENT * BLOCK_ALIGNMENT
        if size > self.capacity:
            return None
        with self.lock:
            self._reclaim()
            empty = self.first == len(self.sizes)
            if empty or self.head > self.tail:
                if self.capacity - self.head >= size:
                    block = self.head
                    self._place(block, size, IN_USE)
                    return block
                if self.tail < size:
                    return None
                self._place(self.head, self.capacity - self.head, RELEASED)  # filler to the end
            if self.tail - self.head < size:
                return None
            block = self.head
            self._place(block, size, IN_USE)
            return block

    def write(self, block, buffers):
        """Copies the buffers one after another into the block's payload: the one copy on their way."""
        position = block + BLOCK_HEADER
        region = self.region
        for buffer in buffers:
            length = len(buffer)
            region[position:position + length] = buffer
            position += length


class ArenaReader:
    """Blocks the server wrote into the other region."""

    def __init__(self, region):
        self.region = region
        self.capacity = len(region)

    def lease(self, block, length):
        """The block's payload as a uint8 array; released when the last array over it is gone."""
        if (block % BLOCK_ALIGNMENT or block > self.capacity - BLOCK_HEADER
                or length > self.capacity - block - BLOCK_HEADER):
            raise ValueError(f"a shared-memory block at {block} with {length} bytes lies outside the region")
        start = block + BLOCK_HEADER
        payload = np.frombuffer(memoryview(self.region)[start:start + length], dtype=np.uint8)
        # Every array made from `payload` (slices, views, reshapes) keeps
        # payload.base alive; its finalizer runs when the last one is gone.
        # Only in this process: a child the model forks shares the mapping
        # and inherits the finalizer, and must not release the parent's block
        # (neither as its arrays go nor when it exits).
        release = weakref.finalize(payload.base, _release_in, os.getpid(), self.region, block)
        release.atexit = False
        return payload


def _release_in(pid, region, block):
    if os.getpid() == pid:
        STATE.pack_into(region, block, RELEASED)
