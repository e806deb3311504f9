import { describe } from 'vitest';
import { ruleCaseTests, type RuleCase } from './helpers.js';

const RULE = 'no-sync-bridge';

const invalid: RuleCase[] = [
  { name: 'nest_asyncio.apply() at module scope', code: `\nimport nest_asyncio\nnest_asyncio.apply()  # expect: nestAsyncio\n` },
  { name: 'nest_asyncio.apply() in a function', code: `\nimport nest_asyncio\ndef setup():\n    nest_asyncio.apply()  # expect: nestAsyncio\n` },
  { name: 'nest_asyncio under another name', code: `\nimport nest_asyncio as na\nna.apply()  # expect: nestAsyncio\n` },
  { name: 'nest_asyncio.apply(loop)', code: `\nimport asyncio, nest_asyncio\nnest_asyncio.apply(asyncio.get_event_loop())  # expect: nestAsyncio\n` },
  {
    name: 'get_event_loop().run_until_complete in a function',
    code: `\nimport asyncio\ndef list_events(user):\n    return asyncio.get_event_loop().run_until_complete(alist_events(user))  # expect: runUntilComplete\n`,
  },
  {
    name: 'the loop held in a local',
    code: `\nimport asyncio\ndef list_events(user):\n    loop = asyncio.get_event_loop()\n    return loop.run_until_complete(alist_events(user))  # expect: runUntilComplete\n`,
  },
  {
    name: 'get_running_loop',
    code: `\nfrom asyncio import get_running_loop\ndef save(doc):\n    get_running_loop().run_until_complete(asave(doc))  # expect: runUntilComplete\n`,
  },
  {
    name: 'the policy loop',
    code: `\nimport asyncio\ndef sync(coro):\n    return asyncio.get_event_loop_policy().get_event_loop().run_until_complete(coro)  # expect: runUntilComplete\n`,
  },
  {
    name: 'run_until_complete inside a coroutine',
    code: `\nimport asyncio\nasync def handler(request):\n    return asyncio.get_event_loop().run_until_complete(render(request))  # expect: runUntilComplete\n`,
  },
  {
    name: 'a gather run to completion in a method',
    code: `\nimport asyncio\nclass Sync:\n    def all(self, ids):\n        return asyncio.get_event_loop().run_until_complete(asyncio.gather(*[self.aget(i) for i in ids]))  # expect: runUntilComplete\n`,
  },
  {
    name: 'a private loop on the instance, run per call',
    code: `\nimport asyncio\nclass Bridge:\n    def __init__(self):\n        self._loop = asyncio.new_event_loop()\n    def call(self, coro):\n        return self._loop.run_until_complete(coro)  # expect: privateLoop\n`,
  },
  {
    name: 'a module-level loop run per call',
    code: `\nimport asyncio\nLOOP = asyncio.new_event_loop()\ndef get(key):\n    return LOOP.run_until_complete(aget(key))  # expect: privateLoop\n`,
  },
  {
    name: "run_coroutine_threadsafe onto this thread's loop, then result()",
    code: `\nimport asyncio\ndef fetch(url):\n    return asyncio.run_coroutine_threadsafe(afetch(url), asyncio.get_event_loop()).result()  # expect: threadsafeDeadlock\n`,
  },
  {
    name: 'the same through locals',
    code: `
import asyncio
def fetch(url):
    loop = asyncio.get_running_loop()
    future = asyncio.run_coroutine_threadsafe(afetch(url), loop)
    return future.result(timeout=10)  # expect: threadsafeDeadlock
`,
  },
  {
    name: 'a done() poll on a future of the own loop',
    code: `
import asyncio, time
def fetch(url):
    fut = asyncio.run_coroutine_threadsafe(afetch(url), asyncio.get_event_loop())  # expect: threadsafeDeadlock
    while not fut.done():
        time.sleep(0.05)
    return fut.result()  # expect: threadsafeDeadlock
`,
  },
  {
    name: 'async_to_sync built per call',
    code: `\nfrom asgiref.sync import async_to_sync\ndef get_profile(user_id):\n    return async_to_sync(fetch_profile)(user_id)  # expect: asyncToSyncPerCall\n`,
  },
  {
    name: 'async_to_sync under another name, in a method',
    code: `\nfrom asgiref.sync import async_to_sync as a2s\nclass View:\n    def get(self, request):\n        return a2s(self.aget)(request)  # expect: asyncToSyncPerCall\n`,
  },
  {
    name: 'async_to_sync inside a lambda',
    code: `\nimport asgiref.sync\nhandlers = {"ping": lambda r: asgiref.sync.async_to_sync(aping)(r)}  # expect: asyncToSyncPerCall\n`,
  },
  { name: 'a time.sleep busy wait on a task', code: `\nimport time\ndef wait_for(task):\n    while not task.done():  # expect: busyWait\n        time.sleep(0.01)\n` },
  { name: 'done() is False', code: `\nimport time\ndef wait_for(fut):\n    while fut.done() is False:  # expect: busyWait\n        time.sleep(1)\n` },
  {
    name: 'a poll with a deadline',
    code: `\nimport time\ndef wait_for(fut, deadline):\n    while not fut.done() and time.time() < deadline:  # expect: busyWait\n        time.sleep(0.1)\n`,
  },
  { name: 'sleep imported from time', code: `\nfrom time import sleep\ndef wait(f):\n    while not f.done():  # expect: busyWait\n        sleep(0.5)\n` },
  {
    name: 'a busy wait on an attribute',
    code: `\nimport time\nclass Job:\n    def join(self):\n        while not self.future.done():  # expect: busyWait\n            time.sleep(0.2)\n`,
  },
  {
    name: 'the runner itself, when allowRunner is off',
    code: `\nimport asyncio\nclass Runner:\n    def run(self, coro):\n        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()  # expect: runnerBridge\n`,
    options: { allowRunner: false },
  },
  {
    name: "the seeds' old _run_async with nest_asyncio",
    code: `
import asyncio, nest_asyncio
def _run_async(coro, timeout=30):
    loop = asyncio.get_event_loop()
    nest_asyncio.apply()  # expect: nestAsyncio
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))  # expect: runUntilComplete
`,
  },
  // The generalisation round's own cases.
  {
    name: 'a bounded coroutine whose name only mentions a state ("closed") is still work per call',
    code: `
import asyncio
class Orders:
    def __init__(self):
        self._loop = asyncio.new_event_loop()
    async def list_closed(self):
        return await self.db.query("closed")
    def closed_orders(self):
        return self._loop.run_until_complete(self.list_closed())  # expect: privateLoop
`,
  },
  {
    name: 'a thread started per call whose target bridges to completion',
    code: `
import asyncio, threading
class Exporter:
    def export(self, rows):
        threading.Thread(target=self._push, args=(rows,)).start()
    def _push(self, rows):
        asyncio.get_event_loop().run_until_complete(self.apush(rows))  # expect: runUntilComplete
`,
  },
];

const valid: RuleCase[] = [
  { name: 'asyncio.run is a loop per call, not a bridge here', code: `\nimport asyncio\ndef f():\n    return asyncio.run(g())\n` },
  { name: 'a new loop run to completion is a loop per call', code: `\nimport asyncio\ndef f():\n    loop = asyncio.new_event_loop()\n    return loop.run_until_complete(g())\n` },
  { name: 'run_until_complete under __main__', code: `\nimport asyncio\nif __name__ == "__main__":\n    asyncio.get_event_loop().run_until_complete(main())\n` },
  { name: 'run_until_complete at module scope', code: `\nimport asyncio\nasyncio.get_event_loop().run_until_complete(main())\n` },
  { name: 'an old-style main()', code: `\nimport asyncio\ndef main():\n    loop = asyncio.get_event_loop()\n    loop.run_until_complete(serve())\n` },
  {
    name: "the seeds' runner onto its own loop thread",
    code: `
import asyncio
class AsyncRunner:
    def run_async(self, coro, timeout=30.0):
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout=timeout)
`,
  },
  { name: 'run_coroutine_threadsafe onto a loop handed in', code: `\nimport asyncio\ndef submit(loop, coro):\n    return asyncio.run_coroutine_threadsafe(coro, loop).result()\n` },
  { name: 'run_coroutine_threadsafe without waiting', code: `\nimport asyncio\ndef post(coro):\n    asyncio.run_coroutine_threadsafe(coro, asyncio.get_event_loop())\n` },
  { name: 'async_to_sync bound once at module scope', code: `\nfrom asgiref.sync import async_to_sync\nget_user_sync = async_to_sync(get_user)\n` },
  { name: 'async_to_sync in main()', code: `\nfrom asgiref.sync import async_to_sync\ndef main():\n    async_to_sync(serve)()\n` },
  { name: 'waiting on an event', code: `\nimport time\ndef wait(done_event):\n    while not done_event.is_set():\n        time.sleep(1)\n` },
  { name: 'an async poll', code: `\nimport asyncio\nasync def wait(fut):\n    while not fut.done():\n        await asyncio.sleep(0.1)\n` },
  { name: 'a spin without sleep is not this sleep loop', code: `\ndef wait(fut):\n    while not fut.done():\n        pass\n` },
  {
    name: "the seeds' wait for the loop thread to start",
    code: `\nimport threading\nclass R:\n    def start(self):\n        while self._loop is None:\n            threading.Event().wait(0.01)\n`,
  },
  { name: 'result() of an executor future', code: `\nfrom concurrent.futures import ThreadPoolExecutor\nPOOL = ThreadPoolExecutor()\ndef work(x):\n    return POOL.submit(compute, x).result()\n` },
  { name: 'run_until_complete in a test', file: 'tests/test_db.py', code: `\nimport asyncio\ndef test_db():\n    asyncio.get_event_loop().run_until_complete(check())\n` },
  { name: 'nest_asyncio in a string', code: `\nDOC = "nest_asyncio.apply() is banned here"\n# nest_asyncio.apply()\n` },
  { name: 'another apply()', code: `\nimport pandas as pd\ndef double(df):\n    return df.apply(lambda x: x * 2)\n` },
  { name: 'anyio.from_thread.run into the loop thread', code: `\nimport anyio.from_thread\ndef sync_get(key):\n    return anyio.from_thread.run(aget, key)\n` },
  { name: 'run_until_complete in a pytest fixture', code: `\nimport asyncio, pytest\n@pytest.fixture\ndef data():\n    return asyncio.get_event_loop().run_until_complete(load())\n` },
  { name: 'run_until_complete in a click command', code: `\nimport asyncio, click\n@click.command()\ndef seed():\n    asyncio.get_event_loop().run_until_complete(seed_db())\n` },
  { name: 'wrap_future in a coroutine', code: `\nimport asyncio\nasync def get(fut):\n    return await asyncio.wrap_future(fut)\n` },
  { name: 'a sleep loop on a flag', code: `\nimport time\nclass Worker:\n    def run(self):\n        while not self.stopped:\n            time.sleep(1)\n` },
  {
    name: 'the runner from a worker thread with a timeout',
    code: `\nimport asyncio\nclass Client:\n    def get(self, key):\n        return asyncio.run_coroutine_threadsafe(self.aget(key), self.loop).result(timeout=5)\n`,
  },
  {
    name: 'a private loop run once in __init__',
    code: `\nimport asyncio\nclass Conn:\n    def __init__(self, loop):\n        self.loop = loop\n        self.db = self.loop.run_until_complete(connect())\n`,
  },
  { name: 'awaiting a coroutine', code: `\nasync def f():\n    return await g()\n` },
  { name: "a loop handed in by its owner (a runner's helper)", code: `\ndef cancel_all(loop, tasks):\n    loop.run_until_complete(gather(*tasks))\n` },
  {
    name: 'a pytest hook in a plugin module',
    file: 'app/pytest_plugin.py',
    code: `\nimport asyncio\ndef pytest_pyfunc_call(pyfuncitem):\n    asyncio.get_event_loop().run_until_complete(pyfuncitem.obj())\n`,
  },
  { name: 'tearDown of a test base class', code: `\nclass AioTestCase:\n    def tearDown(self):\n        self.loop.run_until_complete(self.tearDownAsync())\n` },
  {
    name: 'an asyncio.run reimplementation owns its loop',
    code: `\nimport asyncio\ndef run(main):\n    loop = asyncio.get_event_loop()\n    try:\n        return loop.run_until_complete(main)\n    finally:\n        loop.run_until_complete(loop.shutdown_asyncgens())\n`,
  },
  {
    name: 'async_to_sync returned by an adapter',
    code: `\nfrom asgiref.sync import async_to_sync\ndef adapt(method, is_async):\n    if not is_async:\n        return async_to_sync(method)\n    return method\n`,
  },
  { name: "a server's run method", code: `\nimport asyncio\nclass StatelessServer:\n    def run(self):\n        asyncio.get_event_loop().run_until_complete(self.handle())\n` },
  // The generalisation round: loop owners and test machinery, found by what they are.
  {
    name: "a client's blocking main: it runs its loop until the client is disconnected",
    code: `
class Client:
    async def _wait_disconnected(self):
        await self.disconnected
    def run_until_disconnected(self):
        if self.loop.is_running():
            return self._wait_disconnected()
        return self.loop.run_until_complete(self._wait_disconnected())
`,
  },
  {
    name: "a stream's blocking process(): it runs the loop until a shutdown event is set",
    code: `
class XmlStream:
    def process(self, timeout=None):
        self.loop.run_until_complete(self.stop_event.wait())
`,
  },
  {
    name: "a loop thread's body started as self._run: it runs the loop forever after starting the server",
    code: `
import asyncio, threading
class SmtpController:
    def start(self):
        self._thread = threading.Thread(target=self._run)
        self._thread.start()
    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(self.create_server())
        self.loop.run_forever()
`,
  },
  {
    name: 'a helper of an end-to-end test package (e2etest/)',
    file: 'pkg/e2etest/utils.py',
    code: `
import asyncio, functools
def blocking(f):
    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        return asyncio.get_event_loop().run_until_complete(f(*args, **kwargs))
    return wrapped
`,
  },
  {
    name: 'a method of a TestCase subclass outside tests/',
    code: `
import asyncio, unittest
class StreamTestCase(unittest.TestCase):
    def wait_for(self, coro):
        return asyncio.get_event_loop().run_until_complete(coro)
`,
  },
  {
    name: "a command-line application's start(): a CLI subcommand's main",
    code: `
import asyncio
from traitlets.config import Application
class ClusterStop(Application):
    def start(self):
        async def stop_all():
            await asyncio.gather(*[c.stop() for c in self.clusters])
        asyncio.get_event_loop().run_until_complete(stop_all())
`,
  },
];

describe(`Python: ${RULE}`, () => {
  ruleCaseTests(RULE, valid, invalid);
});
