#!/usr/bin/env python3
"""Mesh test: 5 tidingsd nodes on loopback in a ring with chords (and the INN lab as a sixth
node when MESH_INN=1 and it answers), articles injected at random nodes while one node is
killed -9 and restarted and one link is cut for a while. At the end every node must hold every
article exactly once (same Message-ID set everywhere, each filed once, no looping Path), and
the time to converge after the last injection is reported. Bounded: fails after 2 minutes.

    TIDINGSD=build/server/tidingsd conformance/mesh.py [--articles 600] [--seed 1]
Exit status 0 when converged; prints a summary line "mesh: ... converged in X s".
"""
import argparse
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mesh_nodes as mn  # noqa: E402

RING = 5
CHORDS = [(0, 2), (1, 3)]  # ring 0-1-2-3-4-0 plus 0-2 and 1-3
CUT = (3, 4)               # the link cut for a while
KILLED = 2                 # the node killed -9 and restarted
DEADLINE_S = 120


def links():
    ring = [(i, (i + 1) % RING) for i in range(RING)]
    return ring + CHORDS


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t_begin = time.time()

    use_inn = os.environ.get("MESH_INN") == "1" and mn.inn_available()
    work = mn.make_workdir("mesh")
    nodes = [mn.Node(f"n{i}.mesh.test", mn.free_port(), work) for i in range(RING)]
    for a, b in links():
        nodes[a].add_peer(nodes[b].name, port=nodes[b].port)
        nodes[b].add_peer(nodes[a].name, port=nodes[a].port)
    inn_links = [0, 2] if use_inn else []
    for i in inn_links:  # nodes 0 and 2 feed INN; INN's innxmit feeds node 0 back
        nodes[i].add_peer("inn", port=mn.INNPORT, path_identity=mn.INN_PATHHOST)
    if use_inn:
        mn.inn_add_feed("mesh", [n.name for n in nodes])

    for n in nodes:
        n.start()
    print(f"mesh: {RING} tidingsd nodes, links {links()}{' + INN at ' + str(inn_links) if use_inn else ''}, "
          f"work {work}")

    stop_inn = threading.Event()

    def inn_pump():  # innxmit from INN to node 0, every second
        while not stop_inn.is_set():
            if nodes[0].running():
                mn.inn_send_batch("mesh", nodes[0].port)
            stop_inn.wait(1.0)

    pump = threading.Thread(target=inn_pump, daemon=True)
    if use_inn:
        pump.start()

    injected = set()
    failed = 0
    batches = max(1, args.articles // 20)
    for b in range(batches):
        # Faults, part-way through the injection (batches are ~0.25 s apart).
        if b == batches // 6:
            print(f"mesh: kill -9 {nodes[KILLED].name}")
            nodes[KILLED].kill9()
        if b == batches // 6 + 8:
            print(f"mesh: restart {nodes[KILLED].name}")
            nodes[KILLED].start()
        if b == batches // 3:
            a, c = CUT
            print(f"mesh: cut link {nodes[a].name} <-> {nodes[c].name}")
            nodes[a].stop(), nodes[a].start(without=[nodes[c].name])
            nodes[c].stop(), nodes[c].start(without=[nodes[a].name])
        if b == batches // 3 + 12:
            a, c = CUT
            print(f"mesh: restore link {nodes[a].name} <-> {nodes[c].name}")
            nodes[a].stop(), nodes[a].start()
            nodes[c].stop(), nodes[c].start()
        arts = []
        for i in range(20):
            mid = f"<m{b}.{i}.{args.seed}.{int(t_begin)}@mesh.test>"
            arts.append((mid, mn.make_article(mid, rng.choice(["local.test", "misc.test", "local.test,misc.test"]),
                                              body=f"article {b}/{i}\r\n")))
        targets = [i for i, n in enumerate(nodes) if n.running()]
        port = nodes[rng.choice(targets)].port
        if use_inn and rng.random() < 0.15:
            port = mn.INNPORT
        try:
            ok = mn.takethis(port, arts)
        except (OSError, EOFError, RuntimeError):
            ok = set()
        injected |= ok
        failed += len(arts) - len(ok)
        time.sleep(0.25)
    t_last = time.time()
    print(f"mesh: injected {len(injected)} articles in {t_last - t_begin:.1f} s ({failed} not acknowledged)")

    # Convergence: every injected id is in every node's history (read with mdb_dump: polling
    # with CHECK would reserve ids and make the feeders retry later) and INN has it (STAT).
    converged = False
    while time.time() - t_begin < DEADLINE_S:
        missing = {n.name: len(injected - mn.stored_ids(n.data, injected)) for n in nodes}
        if use_inn and not any(missing.values()):
            missing["inn"] = len(injected - mn.reader_has_ids(mn.INNPORT, injected))
        if not any(missing.values()):
            converged = True
            break
        time.sleep(0.2)
    t_conv = time.time() - t_last
    stop_inn.set()
    if not converged:
        print(f"mesh: NOT converged after {DEADLINE_S} s; missing per node: {missing}")

    # Exactly once, checked in each stopped node's store.
    problems = []
    sets = []
    for n in nodes:
        rc = n.stop()
        if rc != 0:
            problems.append(f"{n.name}: exit status {rc} on SIGTERM")
        articles, filed = mn.store_contents(n.data)
        ids = set(articles)
        sets.append(ids)
        if not injected <= ids:
            problems.append(f"{n.name}: {len(injected - ids)} injected articles missing")
        # Each article filed once per group it names: no id may appear twice in one group.
        seen, twice = set(), []
        for pair in filed:
            if pair in seen:
                twice.append(pair[1])
            seen.add(pair)
        if twice:
            problems.append(f"{n.name}: {len(twice)} articles filed more than once, e.g. {twice[0]}")
        for mid, path in articles.items():
            entries = [e for e in path.split("!") if e]
            if entries[0] != n.name:
                problems.append(f"{n.name}: {mid} Path does not start with the node: {path}")
                break
            hosts = [e for e in entries if e.endswith(".mesh.test") or e == mn.INN_PATHHOST]
            if len(hosts) != len(set(hosts)):
                problems.append(f"{n.name}: {mid} looped: {path}")
                break
    if any(s != sets[0] for s in sets):
        problems.append("nodes hold different Message-ID sets: " + ", ".join(str(len(s)) for s in sets))

    total = time.time() - t_begin
    status = "OK" if converged and not problems else "FAILED"
    print(f"mesh: {status}: {RING} nodes{' + INN' if use_inn else ''}, {len(injected)} articles, "
          f"every node holds {len(sets[0])} ids; converged in {t_conv:.2f} s after the last injection "
          f"(total {total:.1f} s)")
    for p in problems[:20]:
        print("mesh: problem:", p)
    if status == "OK" and not args.keep:
        mn.remove_workdir(work)
    else:
        print(f"mesh: logs kept in {work}")
    return 0 if status == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
