/**
 * In-browser 3D preview of an STL file (three.js): the mesh centred and fitted to the view, turned
 * with the mouse (OrbitControls) or the buttons (keyboard). Loaded on demand: three.js is only in
 * this chunk. Says so in words when the browser has no WebGL.
 */
import { useEffect, useRef, useState } from 'react';
import * as THREE from 'three';
import { STLLoader } from 'three/addons/loaders/STLLoader.js';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';

export default function StlPreview({ data, name }: { data: ArrayBuffer; name: string }) {
  const host = useRef<HTMLDivElement>(null);
  const turn = useRef<(radians: number) => void>(() => undefined);
  const [info, setInfo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let renderer: THREE.WebGLRenderer;
    try {
      renderer = new THREE.WebGLRenderer({ antialias: true });
    } catch {
      setError('This browser cannot show 3D (no WebGL).');
      return;
    }
    let geometry: THREE.BufferGeometry;
    try {
      geometry = new STLLoader().parse(data);
    } catch {
      setError('This file is not a readable STL model.');
      renderer.dispose();
      return;
    }
    const width = el.clientWidth || 480;
    const height = 320;
    renderer.setSize(width, height);
    renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    el.appendChild(renderer.domElement);
    renderer.domElement.setAttribute('aria-hidden', 'true');

    geometry.computeVertexNormals();
    geometry.center();
    geometry.computeBoundingSphere();
    const radius = geometry.boundingSphere?.radius || 1;
    const scene = new THREE.Scene();
    scene.background = new THREE.Color(0xf4f6f8);
    const mesh = new THREE.Mesh(geometry, new THREE.MeshStandardMaterial({ color: 0xd9d2c5, roughness: 0.6, metalness: 0.05 }));
    scene.add(mesh);
    scene.add(new THREE.AmbientLight(0xffffff, 0.6));
    const light = new THREE.DirectionalLight(0xffffff, 1.2);
    light.position.set(1, 1, 2);
    scene.add(light);
    const camera = new THREE.PerspectiveCamera(40, width / height, radius / 100, radius * 20);
    camera.position.set(0, -radius * 0.8, radius * 2.6);
    camera.lookAt(0, 0, 0);
    const controls = new OrbitControls(camera, renderer.domElement);
    const draw = () => renderer.render(scene, camera);
    controls.addEventListener('change', draw);
    turn.current = (r) => {
      mesh.rotation.z += r;
      draw();
    };
    draw();
    const triangles = (geometry.index ? geometry.index.count : geometry.getAttribute('position').count) / 3;
    setInfo(`${triangles.toLocaleString()} triangles, ${(radius * 2).toFixed(1)} mm across`);
    return () => {
      controls.dispose();
      geometry.dispose();
      renderer.dispose();
      renderer.domElement.remove();
    };
  }, [data]);

  return (
    <figure className="stl" aria-label={`3D preview of ${name}`}>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : (
        <>
          <div ref={host} className="stl-canvas" />
          <figcaption>
            {name}
            {info ? ` — ${info}` : ''}{' '}
            <button type="button" onClick={() => turn.current(-Math.PI / 8)}>
              Turn left
            </button>
            <button type="button" onClick={() => turn.current(Math.PI / 8)}>
              Turn right
            </button>
          </figcaption>
        </>
      )}
    </figure>
  );
}
