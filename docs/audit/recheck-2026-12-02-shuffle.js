const fs=require('fs');
let s=20261202n; const M=2n**31n-1n;
function rnd(){ s=(s*48271n)%M; return Number(s)/Number(M); }
function shuffle(a){ a=a.slice(); for(let i=a.length-1;i>0;i--){ const j=Math.floor(rnd()*(i+1)); [a[i],a[j]]=[a[j],a[i]]; } return a; }
const out={};
for (const [area,n] of [['host',12],['kvm',8],['guest',10]]) {
  const L=fs.readFileSync('/tmp/rck-'+area+'.txt','utf8').trim().split('\n').sort();
  out[area]=shuffle(L).slice(0,n);
}
console.log(JSON.stringify(out,null,1));
