"""Interop with INN 2.7 (Debian's inn2, the private lab of conformance/inn) in both directions:
Tidings' outgoing feed sends to innd, and INN's innxmit feeds Tidings back.

Needs a tidingsd binary and the INN lab running: conformance/run's interop stage provides both
(INTEROP=1, INNLAB, INNPORT). Run on its own by the ordinary suite it is skipped, with the
reason printed.
"""
import os
import time
import unittest
import uuid

import mesh_nodes as mn

ENABLED = os.environ.get("INTEROP") == "1"


@unittest.skipUnless(ENABLED, "interop: needs tidingsd and the INN lab; run by conformance/run --target both")
class InteropWithInn(unittest.TestCase):
    N = 300

    @classmethod
    def setUpClass(cls):
        if not mn.inn_available():
            raise unittest.SkipTest(f"INN lab not answering on 127.0.0.1:{mn.INNPORT}")
        cls.work = mn.make_workdir("interop")
        cls.node = mn.Node("tidings.interop.test", mn.free_port(), cls.work)
        # The test feeds the node from 127.0.0.1 too: with the address shared, the node does
        # not take every loopback session for INN's (it would never send INN their articles).
        cls.node.add_peer("feeder")
        # INN is both the peer we feed (outgoing) and the one whose innxmit feeds us.
        cls.node.add_peer("inn", port=mn.INNPORT, path_identity=mn.INN_PATHHOST, extra="window = 32")
        cls.node.start()
        # INN queues for us everything it gets that has not been through us already.
        mn.inn_add_feed("tidings", [cls.node.name])

    @classmethod
    def tearDownClass(cls):
        rc = cls.node.stop()
        mn.remove_workdir(cls.work) if rc == 0 else print(f"tidingsd exit {rc}: kept {cls.work}")

    def wait_for(self, probe, ids, timeout=60):
        start = time.time()
        have = set()
        while time.time() - start < timeout:
            have = probe(ids)
            if have == set(ids):
                break
            time.sleep(0.3)
        return have, time.time() - start

    def test_1_tidings_feeds_innd(self):
        tag = uuid.uuid4().hex[:8]
        arts = [(f"<out.{tag}.{i}@interop.test>",
                 mn.make_article(f"<out.{tag}.{i}@interop.test>",
                                 "local.test" if i % 3 else "local.test,misc.test",
                                 body=(".dot line\r\n" if i % 7 == 0 else "") + "Body %d\r\n" % i))
                for i in range(self.N)]
        acked = mn.takethis(self.node.port, arts)
        self.assertEqual(len(acked), self.N)
        have, took = self.wait_for(lambda ids: mn.reader_has_ids(mn.INNPORT, ids), acked)
        print(f"\n  tidings -> innd: {len(have)}/{len(acked)} articles in {took:.2f} s", end=" ")
        self.assertEqual(have, acked)
        # innd got each once: re-offering them all is refused as duplicates.
        again = mn.takethis(mn.INNPORT, arts[:20])
        self.assertEqual(again, set())

    def test_2_innxmit_feeds_tidings(self):
        tag = uuid.uuid4().hex[:8]
        arts = [(f"<in.{tag}.{i}@interop.test>",
                 mn.make_article(f"<in.{tag}.{i}@interop.test>", "local.test",
                                 path="elsewhere.example!not-for-mail"))
                for i in range(self.N)]
        acked = mn.takethis(mn.INNPORT, arts)  # into INN, which queues them for tidings
        self.assertEqual(len(acked), self.N)
        start = time.time()
        have = set()
        while time.time() - start < 60:
            r = mn.inn_send_batch("tidings", self.node.port)
            if r is not None and r.returncode != 0:
                print(r.stdout, r.stderr)
            have = mn.stored_ids(self.node.data, acked)
            if have == acked:
                break
            time.sleep(0.5)
        print(f"\n  innxmit -> tidings: {len(have)}/{len(acked)} articles in {time.time() - start:.2f} s", end=" ")
        self.assertEqual(have, acked)
        # Tidings does not send them back to INN (its path identity is in Path); the queue
        # for inn drains to empty and innd sees no loop.
        with open(os.path.join(self.node.dir, "tidingsd.log")) as f:
            log = f.read()
        self.assertNotIn("event=protocol_error", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
