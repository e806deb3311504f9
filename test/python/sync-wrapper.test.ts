import { describe } from 'vitest';
import { ruleCaseTests, type RuleCase } from './helpers.js';

const RULE = 'no-sync-wrapper';

const RUNNER = `
import asyncio, threading
class AsyncRunner:
    def __init__(self):
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
    def run_async(self, coro, timeout=30.0):
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout=timeout)

_async_runner = AsyncRunner()

def get_async_runner():
    return _async_runner

def run_async(coro, timeout=30.0):
    return _async_runner.run_async(coro, timeout)
`;

const LOCAL_RUN_ASYNC = `
import asyncio
def _run_async(coro, timeout=30):
    return asyncio.run(asyncio.wait_for(coro, timeout))
`;

const invalid: RuleCase[] = [
  {
    name: "the seeds' repository method over _run_async",
    code: `${LOCAL_RUN_ASYNC}
class MSGraphAppointmentRepository:
    async def alist_for_user(self, start_date=None, end_date=None):
        return []
    def list_for_user(self, start_date=None, end_date=None):  # expect: syncWrapper
        return _run_async(self.alist_for_user(start_date, end_date))
`,
  },
  {
    name: "the seeds' run_async runner imported from another module",
    code: `
from core.utilities.async_runner import run_async
class Repo:
    def list_for_user(self, start=None):  # expect: syncWrapperRunner
        return run_async(self.alist_for_user(start))
`,
    others: { 'core/utilities/async_runner.py': RUNNER },
  },
  {
    name: 'asyncio.run of a sibling method',
    code: `\nimport asyncio\nclass Repo:\n    def get(self, id):  # expect: syncWrapper\n        return asyncio.run(self.aget(id))\n    async def aget(self, id):\n        return id\n`,
  },
  { name: 'a void wrapper', code: `\nimport asyncio\nclass Repo:\n    def delete(self, id):  # expect: syncWrapper\n        asyncio.run(self.adelete(id))\n` },
  { name: 'assigned, then returned', code: `${LOCAL_RUN_ASYNC}\ndef count():  # expect: syncWrapper\n    result = _run_async(acount())\n    return result\n` },
  {
    name: 'a helper that takes the function and its arguments',
    code: `
import asyncio
def run_sync(fn, *args):
    return asyncio.run(fn(*args))
async def find_order(order_id):
    return order_id
def find_order_sync(order_id):  # expect: syncWrapper
    return run_sync(find_order, order_id)
`,
  },
  {
    name: 'a sibling imported from a sibling module',
    code: `\nimport asyncio\nfrom .orders import afind\ndef find(order_id):  # expect: syncWrapper\n    return asyncio.run(afind(order_id))\n`,
    others: { 'app/orders.py': `async def afind(order_id):\n    return order_id\n`, 'app/__init__.py': '' },
  },
  {
    name: 'get_event_loop().run_until_complete',
    code: `\nimport asyncio\nclass C:\n    def get(self):  # expect: syncWrapper\n        return asyncio.get_event_loop().run_until_complete(self.aget())\n`,
  },
  { name: 'a private loop', code: `\nclass C:\n    def get(self):  # expect: syncWrapper\n        return self._loop.run_until_complete(self.aget())\n` },
  {
    name: 'run_coroutine_threadsafe onto the runner thread',
    code: `\nimport asyncio\nclass C:\n    def get(self):  # expect: syncWrapperRunner\n        return asyncio.run_coroutine_threadsafe(self.aget(), self._loop).result()\n`,
  },
  {
    name: 'async_to_sync of a sibling, called at once',
    code: `\nfrom asgiref.sync import async_to_sync\nclass View:\n    def get(self, request):  # expect: syncWrapper\n        return async_to_sync(self.aget)(request)\n`,
  },
  {
    name: 'async_to_sync bound at module scope',
    code: `\nfrom asgiref.sync import async_to_sync\nasync def get_user(id):\n    return id\nget_user_sync = async_to_sync(get_user)  # expect: syncWrapper\n`,
  },
  { name: 'async_to_sync bound in a class body', code: `\nfrom asgiref.sync import async_to_sync\nclass Repo:\n    list_sync = async_to_sync(alist)  # expect: syncWrapper\n` },
  {
    name: 'async_to_sync bound on the instance',
    code: `\nfrom asgiref.sync import async_to_sync\nclass Repo:\n    def __init__(self):\n        self.get_sync = async_to_sync(self.aget)  # expect: syncWrapper\n    async def aget(self):\n        return 1\n`,
  },
  { name: 'anyio.run of a sibling function', code: `\nimport anyio\nclass Client:\n    def fetch(self, url):  # expect: syncWrapper\n        return anyio.run(self.afetch, url)\n` },
  {
    name: 'an inline async function',
    code: `\nimport asyncio\ndef load_all(ids):  # expect: syncWrapperInline\n    async def _go():\n        return [await load(i) for i in ids]\n    return asyncio.run(_go())\n`,
  },
  {
    name: 'a helper recognised by what it does, whatever its name',
    code: `\nimport asyncio\ndef blocking(c):\n    return asyncio.run(c)\ndef get(key):  # expect: syncWrapper\n    return blocking(aget(key))\n`,
  },
  {
    name: 'a runner method on a module instance',
    code: `
import asyncio
class Runner:
    def submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()
runner = Runner()
class Repo:
    def get(self):  # expect: syncWrapperRunner
        return runner.submit(self.aget())
`,
  },
  {
    name: 'the runner through its accessor',
    code: `\nfrom core.utilities.async_runner import get_async_runner\nclass Repo:\n    def get(self):  # expect: syncWrapperRunner\n        return get_async_runner().run_async(self.aget())\n`,
    others: { 'core/utilities/async_runner.py': RUNNER },
  },
  {
    name: 'a helper that hands on to another helper',
    code: `\nimport asyncio\ndef _run(coro):\n    return asyncio.run(coro)\ndef run_async(coro):\n    return _run(coro)\ndef get():  # expect: syncWrapper\n    return run_async(aget())\n`,
  },
  {
    name: "the seeds' nest_asyncio helper",
    code: `
import asyncio, nest_asyncio
def _run_async(coro, timeout=30):
    loop = asyncio.get_event_loop()
    nest_asyncio.apply()
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))
class Repo:
    def add(self, appointment):  # expect: syncWrapper
        return _run_async(self.aadd(appointment))
`,
  },
  {
    name: 'bridgeHelpers names a helper the analysis cannot see',
    code: `\nfrom vendor import external_runner\ndef get():  # expect: syncWrapper\n    return external_runner(aget())\n`,
    options: { bridgeHelpers: ['external_runner'] },
  },
  { name: 'a docstring before the bridge', code: `\nimport asyncio\ndef get():  # expect: syncWrapper\n    """Sync version of aget."""\n    return asyncio.run(aget())\n` },
  { name: 'a static method', code: `\nimport asyncio\nclass Api:\n    @staticmethod\n    def ping():  # expect: syncWrapper\n        return asyncio.run(aping())\n` },
  { name: 'a property', code: `${LOCAL_RUN_ASYNC}\nclass User:\n    @property\n    def name(self):  # expect: syncWrapper\n        return _run_async(self.aname())\n` },
  {
    name: 'a helper re-exported by a package __init__',
    code: `\nfrom core.utilities import run_async\nclass Repo:\n    def get(self):  # expect: syncWrapperRunner\n        return run_async(self.aget())\n`,
    others: { 'core/utilities/__init__.py': 'from .async_runner import run_async\n', 'core/utilities/async_runner.py': RUNNER, 'core/__init__.py': '' },
  },
  { name: 'the coroutine passed by keyword', code: `${LOCAL_RUN_ASYNC}\ndef get():  # expect: syncWrapper\n    return _run_async(coro=aget(), timeout=5)\n` },
  { name: 'a sibling on another object', code: `\nimport asyncio\nclass Service:\n    def list(self):  # expect: syncWrapper\n        return asyncio.run(self.repo.alist())\n` },
  {
    name: 'a wrapper whose coroutine only mentions a state in its name is still a wrapper',
    code: `
import asyncio
class Tickets:
    async def afetch_closed(self):
        return await self.api.get("closed")
    def fetch_closed(self):  # expect: syncWrapper
        return asyncio.run(self.afetch_closed())
`,
  },
  {
    name: 'a wrapper through a staticmethod helper that runs a private loop',
    code: `
import asyncio
class SocketWrapper:
    def __init__(self, url):
        self.loop = asyncio.new_event_loop()
    def recv(self, *args):  # expect: syncWrapper
        return self.run_with_loop(self.conn.recv(*args), self.loop)
    @staticmethod
    def run_with_loop(main, loop):
        try:
            return loop.run_until_complete(main)
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
`,
  },
];

const valid: RuleCase[] = [
  { name: 'an async def', code: `\nasync def get():\n    return await aget()\n` },
  { name: 'logging besides the bridge', code: `\nimport asyncio, logging\ndef get():\n    logging.info("get")\n    return asyncio.run(aget())\n` },
  { name: 'a try/except around the bridge', code: `\nimport asyncio\ndef get():\n    try:\n        return asyncio.run(aget())\n    except TimeoutError:\n        return None\n` },
  { name: 'the result mapped', code: `\nimport asyncio\ndef ids():\n    return [x.id for x in asyncio.run(alist())]\n` },
  { name: 'the helper itself', code: `\nimport asyncio\ndef run_async(coro):\n    return asyncio.run(coro)\n` },
  { name: 'a helper taking a function', code: `\nimport asyncio\ndef run_sync(fn, *args):\n    return asyncio.run(fn(*args))\n` },
  { name: 'bridging a sync function of the project', code: `\nimport asyncio\nclass C:\n    def make(self):\n        return build()\n    def get(self):\n        return asyncio.run(self.make())\n` },
  { name: 'main()', code: `\nimport asyncio\ndef main():\n    asyncio.run(amain())\n` },
  { name: 'a test', file: 'tests/test_api.py', code: `\nimport asyncio\ndef test_ping():\n    asyncio.run(aping())\n` },
  { name: 'a lambda', code: `\nimport asyncio\nhandler = lambda: asyncio.run(aping())\n` },
  { name: '__init__', code: `\nimport asyncio\nclass Db:\n    def __init__(self):\n        asyncio.run(self.aconnect())\n` },
  { name: 'a generator', code: `\nimport asyncio\ndef rows():\n    yield asyncio.run(afetch())\n` },
  { name: 'a sync caller of a wrapper', code: `\nclass Service:\n    def count(self):\n        return len(self.repo.list_for_user())\n` },
  { name: 'async_to_sync into a local, per call', code: `\nfrom asgiref.sync import async_to_sync\ndef get():\n    fn = async_to_sync(aget)\n    return fn()\n` },
  { name: 'returning the coroutine itself', code: `\nclass C:\n    def get(self):\n        return self.aget()\n` },
  { name: 'create_task is not a bridge', code: `\nimport asyncio\ndef start():\n    return asyncio.create_task(run())\n` },
  { name: 'run_until_complete of a parameter', code: `\ndef wait(loop, coro):\n    return loop.run_until_complete(coro)\n` },
  { name: 'an unknown run method', code: `\nclass C:\n    def get(self):\n        return self.engine.run(self.aget())\n` },
  {
    name: 'the runner, with allowRunner',
    code: `\nfrom core.utilities.async_runner import run_async\ndef get():\n    return run_async(aget())\n`,
    others: { 'core/utilities/async_runner.py': RUNNER },
    options: { allowRunner: true },
  },
  { name: 'work between assignment and return', code: `${LOCAL_RUN_ASYNC}\ndef get():\n    r = _run_async(aget())\n    audit(r)\n    return r\n` },
  { name: 'a class built, not a coroutine', code: `\nimport asyncio\nclass Builder:\n    pass\ndef get():\n    return asyncio.run(Builder())\n` },
  { name: 'stopping the loop', code: `\nclass R:\n    def stop(self):\n        self._loop.call_soon_threadsafe(self._loop.stop)\n` },
  { name: 'a future result', code: `\nclass Job:\n    def result(self):\n        return self.future.result()\n` },
  { name: 'a click command', code: `\nimport asyncio, click\n@click.command()\ndef sync():\n    asyncio.run(do_sync())\n` },
  {
    name: 'a helper that runs its parameter on a thread',
    code: `\nimport asyncio, threading\ndef run_in_thread(coro):\n    t = threading.Thread(target=lambda: asyncio.run(coro))\n    t.start()\n    t.join()\n`,
  },
  { name: "a worker's run method", code: `\nimport asyncio\nclass UvicornWorker(Worker):\n    def run(self):\n        return asyncio.run(self._serve())\n` },
  {
    name: 'async_to_sync of a callable handed in (an ASGI send)',
    code: `\nfrom asgiref.sync import AsyncToSync\nclass WsgiToAsgiInstance:\n    async def __call__(self, receive, send):\n        self.sync_send = AsyncToSync(send)\n`,
  },
  {
    name: "a runner's __call__ that runs the function it is handed",
    code: `\nimport trio\nclass Runner:\n    def __call__(self, async_fn):\n        async def loc(coro):\n            return await coro\n        return trio.from_thread.run(loc, async_fn, trio_token=self.token)\n`,
  },
  { name: 'an async_to_sync of a sync function', code: `\nfrom asgiref.sync import async_to_sync\ndef plain():\n    return 1\nplain_sync = async_to_sync(plain)\n` },
  // The generalisation round: a program's main loop is not a wrapper of a call.
  {
    name: 'a function that starts a server and serves until it is stopped',
    code: `
import asyncio
async def start_async_tcp_server(**kwargs):
    server = await asyncio.start_server(handle, **kwargs)
    await server.serve_forever()
def start_tcp_server(**kwargs):
    return asyncio.run(start_async_tcp_server(**kwargs))
`,
  },
  {
    name: "a program's main whose coroutine installs signal handlers",
    code: `
import asyncio, signal
def run(master_cls, options):
    async def main():
        master = master_cls(options)
        signal.signal(signal.SIGINT, lambda *_: master.shutdown())
        await master.run()
    return asyncio.run(main())
`,
  },
  {
    name: 'a wrapper in a test helper module',
    file: 'tests/helpers.py',
    code: `
import asyncio
def fetch_sync(client, url):
    return asyncio.run(client.afetch(url))
`,
  },
];

describe(`Python: ${RULE}`, () => {
  ruleCaseTests(RULE, valid, invalid);
});
